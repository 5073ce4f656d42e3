package io.asyncwatch.state;

import java.nio.ByteBuffer;

/**
 * A cap on the number of keys one processor of one task tracks. Keys come from producers (service names,
 * request ids, entities) and are untrusted: a flood of distinct names must not grow state without bound. Keys
 * over the cap are not tracked; they are counted as overflow, which the detector reports on the metrics topic.
 */
public final class KeyBudget {

    private final TaskStore store;
    private final String meta;
    private final long cap;
    private long count;
    private long overflow;
    private boolean loaded;

    public KeyBudget(TaskStore store, String name, long cap) {
        this.store = store;
        this.meta = "budget:" + name;
        this.cap = cap;
    }

    /** Takes a slot for a new key; false (and counted as overflow) when the cap is reached. */
    public boolean admit() {
        load();
        if (count >= cap) {
            overflow++;
            save();
            return false;
        }
        count++;
        save();
        return true;
    }

    public void release() {
        load();
        count = Math.max(0, count - 1);
        save();
    }

    public long count() {
        load();
        return count;
    }

    public long cap() {
        return cap;
    }

    /** Overflow since the last call, reset to zero. */
    public long drainOverflow() {
        load();
        long n = overflow;
        if (n > 0) {
            overflow = 0;
            save();
        }
        return n;
    }

    private void load() {
        if (!loaded) {
            byte[] b = store.meta(meta);
            if (b != null) {
                ByteBuffer buf = ByteBuffer.wrap(b);
                count = buf.getLong();
                overflow = buf.getLong();
            }
            loaded = true;
        }
    }

    private void save() {
        store.putMeta(meta, ByteBuffer.allocate(16).putLong(count).putLong(overflow).array());
    }
}
