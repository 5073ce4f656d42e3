package io.asyncwatch.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Everything one processor of one task keeps, in one store (one changelog), in three key spaces:
 * <ul>
 *   <li>meta: a few named values of the task (its clock, key count);</li>
 *   <li>deadlines: {@code (time, key)} entries sorted by time, so that "what is due by now" is a range scan of
 *       exactly the due entries, never a sweep over every key;</li>
 *   <li>data: the per-key state, counted against a cap ({@link KeyBudget}).</li>
 * </ul>
 */
public final class TaskStore {

    private static final byte META = 0;
    private static final byte DEADLINE = 1;
    private static final byte DATA = 2;
    private static final int DUE_BATCH = 1_000;

    public record Due(long time, String key) {
    }

    private final KeyValueStore<Bytes, byte[]> store;
    /** Per lane, the earliest deadline, or absent when unknown (then read from the store on the next check). */
    private final Map<Integer, Long> nextDue = new HashMap<>();

    public TaskStore(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    /**
     * Runs {@code hook} before every commit of the store (see {@link WriteBackStore}): the processor writes back
     * what it keeps decoded. Set it in the processor's init.
     */
    public void beforeCommit(Runnable hook) {
        WriteBackStore.of(store).beforeCommit(hook);
    }

    /** The object the task's processors share through this store (see {@link WriteBackStore#attachment}). */
    public <T> T attachment(Class<T> type, java.util.function.Supplier<T> create) {
        return WriteBackStore.of(store).attachment(type, create);
    }

    /** Drops the shared object (see {@link WriteBackStore#detach}). */
    public void detach() {
        WriteBackStore.of(store).detach();
    }

    // --- data ---

    public byte[] get(String key) {
        return store.get(data(key));
    }

    public void put(String key, byte[] value) {
        store.put(data(key), value);
    }

    public void delete(String key) {
        store.delete(data(key));
    }

    /** Every data entry, in key order (for a processor whose data is only short-lived entries). */
    public List<KeyValue<String, byte[]>> allData() {
        return range(Bytes.wrap(new byte[] {DATA}), Bytes.wrap(new byte[] {DATA + 1}));
    }

    /** Hands every data key to {@code action}, in key order, without keeping the values. */
    public void forEachDataKey(Consumer<String> action) {
        try (KeyValueIterator<Bytes, byte[]> it = store.range(Bytes.wrap(new byte[] {DATA}),
                Bytes.wrap(new byte[] {DATA + 1}))) {
            while (it.hasNext()) {
                byte[] k = it.next().key.get();
                if (k[0] == DATA) {
                    action.accept(new String(k, 1, k.length - 1, StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** The data entries whose key starts with {@code prefix}, in key order. */
    public List<KeyValue<String, byte[]>> dataWithPrefix(String prefix) {
        byte[] from = data(prefix).get();
        byte[] to = java.util.Arrays.copyOf(from, from.length + 1);
        to[to.length - 1] = (byte) 0xFF; // above every UTF-8 byte: the end of the prefix's range
        return range(Bytes.wrap(from), Bytes.wrap(to));
    }

    private List<KeyValue<String, byte[]>> range(Bytes fromKey, Bytes toKey) {
        List<KeyValue<String, byte[]>> out = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.range(fromKey, toKey)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                byte[] k = kv.key.get();
                if (k[0] == DATA) {
                    out.add(KeyValue.pair(new String(k, 1, k.length - 1, StandardCharsets.UTF_8), kv.value));
                }
            }
        }
        return out;
    }

    // --- meta ---

    public byte[] meta(String name) {
        return store.get(meta(name.getBytes(StandardCharsets.UTF_8)));
    }

    public void putMeta(String name, byte[] value) {
        store.put(meta(name.getBytes(StandardCharsets.UTF_8)), value);
    }

    // --- deadlines ---

    public void schedule(long time, String key) {
        schedule(0, time, key);
    }

    public void cancel(long time, String key) {
        cancel(0, time, key);
    }

    public boolean anyDue(long now) {
        return anyDue(0, now);
    }

    public List<Due> due(long now, int max) {
        return due(0, now, max);
    }

    /** Deadlines live in lanes (0..65535) so that lanes judged by different clocks never mix. */
    public void schedule(int lane, long time, String key) {
        store.put(deadline(lane, time, key), new byte[0]);
        Long next = nextDue.get(lane);
        if (next != null && time < next) {
            nextDue.put(lane, time);
        }
    }

    public void cancel(int lane, long time, String key) {
        store.delete(deadline(lane, time, key));
    }

    /** Cheap check for the hot path: false means certainly nothing in {@code lane} is due by {@code now}. */
    public boolean anyDue(int lane, long now) {
        Long next = nextDue.get(lane);
        if (next == null) {
            next = firstDeadline(lane);
            nextDue.put(lane, next);
        }
        return next != Long.MAX_VALUE && next <= now;
    }

    /**
     * Hands every entry of {@code lane} due by {@code now} to {@code action}, earliest first, a batch at a time.
     * The action must cancel (or move) the entry it is given.
     */
    public void forEachDue(int lane, long now, Consumer<Due> action) {
        while (anyDue(lane, now)) {
            List<Due> due = due(lane, now, DUE_BATCH);
            due.forEach(action);
            if (due.size() < DUE_BATCH) {
                break;
            }
        }
    }

    public void forEachDue(long now, Consumer<Due> action) {
        forEachDue(0, now, action);
    }

    /** Up to {@code max} entries of {@code lane} due by {@code now}, earliest first; the caller cancels them. */
    public List<Due> due(int lane, long now, int max) {
        List<Due> out = new ArrayList<>();
        nextDue.remove(lane);
        if (now < 0) {
            return out;
        }
        try (KeyValueIterator<Bytes, byte[]> it = store.range(deadline(lane, 0, ""),
                deadline(lane, now == Long.MAX_VALUE ? now : now + 1, ""))) {
            while (it.hasNext() && out.size() < max) {
                byte[] k = it.next().key.get();
                long time = ByteBuffer.wrap(k, 3, 8).getLong();
                if (time > now) {
                    break;
                }
                out.add(new Due(time, new String(k, 11, k.length - 11, StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private long firstDeadline(int lane) {
        try (KeyValueIterator<Bytes, byte[]> it = store.range(deadline(lane, 0, ""),
                deadline(lane, Long.MAX_VALUE, ""))) {
            if (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                return ByteBuffer.wrap(kv.key.get(), 3, 8).getLong();
            }
        }
        return Long.MAX_VALUE;
    }

    private static Bytes data(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[k.length + 1];
        out[0] = DATA;
        System.arraycopy(k, 0, out, 1, k.length);
        return Bytes.wrap(out);
    }

    private static Bytes meta(byte[] name) {
        byte[] out = new byte[name.length + 1];
        out[0] = META;
        System.arraycopy(name, 0, out, 1, name.length);
        return Bytes.wrap(out);
    }

    /** Big-endian time after prefix and lane: byte order is time order (times are clamped to >= 0). */
    private static Bytes deadline(int lane, long time, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(11 + k.length);
        b.put(DEADLINE).putShort((short) lane).putLong(Math.max(0, time)).put(k);
        return Bytes.wrap(b.array());
    }

    @Override
    public String toString() {
        return "TaskStore(" + store.name() + ")";
    }
}
