package io.asyncwatch.state;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Entries of a task store that its processor keeps decoded and updates for every event, encoded back into the store
 * once per commit ({@link WriteBackStore}) instead of once per event, and then let go: what is held is bounded by
 * what one commit interval touches. Create one in the processor's init: a task revived after a dirty close starts
 * from what its store holds.
 */
public final class DecodedEntries<V> {

    private final TaskStore store;
    private final Function<V, byte[]> encode;
    private final Map<String, V> decoded = new HashMap<>();
    /** The entries to write back. */
    private final Map<String, V> changed = new HashMap<>();

    public DecodedEntries(TaskStore store, Function<V, byte[]> encode) {
        this.store = store;
        this.encode = encode;
        store.beforeCommit(this::beforeCommit);
    }

    /**
     * What runs before every commit: the write-back, then what is held is let go. A processor with more of its own to
     * write back registers a hook of its own ({@link TaskStore#beforeCommit}) that calls this.
     */
    public void beforeCommit() {
        writeBack();
        decoded.clear();
    }

    /** The decoded entry, or null when it is not held (then read the store). */
    public V get(String key) {
        return decoded.get(key);
    }

    /** The entry as held decoded, else as stored ({@code decode}d, not held); null when there is none. */
    public V read(String key, Function<byte[], V> decode) {
        V v = decoded.get(key);
        if (v != null) {
            return v;
        }
        byte[] raw = store.get(key);
        return raw == null ? null : decode.apply(raw);
    }

    /** Holds {@code value} under {@code key}; it reaches the store before the next commit. */
    public void changed(String key, V value) {
        decoded.put(key, value);
        changed.put(key, value);
    }

    /** Encodes every changed entry into the store. */
    public void writeBack() {
        for (Map.Entry<String, V> e : changed.entrySet()) {
            store.put(e.getKey(), encode.apply(e.getValue()));
        }
        changed.clear();
    }

    /** Lets go of {@code key} without writing it back (its store entry is being deleted). */
    public void forget(String key) {
        decoded.remove(key);
        changed.remove(key);
    }

    /** Forgets what is held: after a {@link #writeBack()}, when the store's entries have been consumed. */
    public void clear() {
        decoded.clear();
        changed.clear();
    }
}
