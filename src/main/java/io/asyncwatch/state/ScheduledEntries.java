package io.asyncwatch.state;

import java.util.function.BiConsumer;

/**
 * Per-key state of a {@link TaskStore}, kept decoded between commits ({@link DecodedEntries}), counted against a cap
 * ({@link KeyBudget}), and each entry scheduled at its own next due time, so that moving the clock visits only the
 * entries with something due. An entry that holds nothing is forgotten.
 */
public final class ScheduledEntries<V> {

    /** How an entry is encoded, when it is next due, and where it keeps the time it is scheduled at. */
    public interface Kind<V> {
        byte[] encode(V value);

        V decode(byte[] bytes);

        /** When the entry next has something to do, or {@code Long.MAX_VALUE}. */
        long nextDue(V value);

        /** The time the entry is scheduled at, kept in the entry ({@code Long.MIN_VALUE}: none). */
        long scheduled(V value);

        void scheduled(V value, long time);

        boolean holdsNothing(V value);
    }

    private final TaskStore store;
    private final Kind<V> kind;
    /** Made once: a bound method reference made per call would be an allocation per event. */
    private final java.util.function.Function<byte[], V> decode;
    private final DecodedEntries<V> decoded;
    private final KeyBudget budget;

    /** Create in the processor's init. */
    public ScheduledEntries(TaskStore store, Kind<V> kind, String name, long cap) {
        this.store = store;
        this.kind = kind;
        this.decode = kind::decode;
        this.decoded = new DecodedEntries<>(store, kind::encode);
        this.budget = new KeyBudget(store, name, cap);
    }

    /** The entry of {@code key}, or null. */
    public V get(String key) {
        return decoded.read(key, decode);
    }

    /** Whether the cap leaves room for a new entry (false: counted, see {@link #drainOverflow}). */
    public boolean admit() {
        return budget.admit();
    }

    /** Keeps {@code value} (changed) and schedules it at its next due time; forgets it if it holds nothing. */
    public void keep(String key, V value) {
        long due = kind.nextDue(value);
        long scheduled = kind.scheduled(value);
        if (due != scheduled) {
            if (scheduled != Long.MIN_VALUE) {
                store.cancel(scheduled, key);
            }
            if (due != Long.MAX_VALUE) {
                store.schedule(due, key);
            }
            kind.scheduled(value, due == Long.MAX_VALUE ? Long.MIN_VALUE : due);
        }
        if (kind.holdsNothing(value)) {
            if (kind.scheduled(value) != Long.MIN_VALUE) {
                store.cancel(kind.scheduled(value), key);
            }
            decoded.forget(key);
            store.delete(key);
            budget.release();
        } else {
            decoded.changed(key, value);
        }
    }

    /** Runs {@code action} on every entry due by {@code now}, then keeps it (rescheduled, or forgotten). */
    public void forEachDue(long now, BiConsumer<String, V> action) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            V v = get(d.key());
            if (v == null || kind.scheduled(v) != d.time()) {
                return; // rescheduled since
            }
            kind.scheduled(v, Long.MIN_VALUE);
            action.accept(d.key(), v);
            keep(d.key(), v);
        });
    }

    public long cap() {
        return budget.cap();
    }

    /** New keys refused by the cap since the last call. */
    public long drainOverflow() {
        return budget.drainOverflow();
    }
}
