package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Watermarks;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The causes an input task has ingested, and the lookups it is waiting on. Causes never leave the task that
 * ingested them: each is an entry of the task's {@link CauseBook} (in memory, written as chunks per commit), expired
 * by whole buckets. An effect is looked up in every
 * input task (its lookup is broadcast, and effects are few); the one task holding its cause judges the pair, at once
 * or when the cause arrives within the horizon. The task that ingested the effect counts it as sent, the one that
 * judges it as found, so the window stage knows how many missed their cause without any task waiting per effect.
 * Shared by the two processors of an input task (local events, broadcast lookups) through its stores.
 */
final class CauseIndex {

    static final String CAUSES = "causality-causes";
    static final String STORE = "causality-index";
    /** Deadline lane of the per-window counts (lane 0: waiting lookups to forget). */
    private static final int COUNTS = 1;
    private static final int VERSION = 1;
    private static final String CLOCK = "clock";

    static Set<StoreBuilder<?>> stores(StoreMode mode) {
        return Set.of(StateStores.smallTaskStore(STORE, mode), StateStores.smallTaskStore(CAUSES, mode));
    }

    private final CausalitySettings s;
    private final long graceMs;
    private final TaskStore store;
    /** The causes within reach, shared by the task's two processors through the causes store. */
    private final CauseBook book;
    private final TaskStore causes;
    /** Links with lookups waiting here, shared by the task's two processors through the store. */
    private final WaitingLinks waiting;

    /**
     * The links with a "l|" entry in the store, in memory: nearly every event is a cause and nearly none has a lookup
     * waiting for it, so a cause costs a set lookup instead of a store read. Rebuilt from the store on first use.
     */
    static final class WaitingLinks {
        final java.util.Set<String> links = new java.util.HashSet<>();

        static WaitingLinks load(TaskStore store) {
            WaitingLinks w = new WaitingLinks();
            for (var kv : store.dataWithPrefix("l|")) {
                w.links.add(kv.key.substring(2));
            }
            return w;
        }
    }

    CauseIndex(ProcessorContext<?, ?> context, CausalitySettings s, long graceMs, StoreMode mode) {
        this.s = s;
        this.graceMs = graceMs;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.causes = new TaskStore(context.getStateStore(CAUSES));
        this.book = causes.attachment(CauseBook.class, () -> new CauseBook(causes, s.horizonMs(), s.maxCauses(),
                // Replay's stores have no changelog and are never restored: nothing to write the causes for.
                mode != StoreMode.REPLAY));
        this.waiting = store.attachment(WaitingLinks.class, () -> WaitingLinks.load(store));
    }

    /**
     * Lets go of the shared causes: the task is closing or being recycled (a new instance rebuilds them). Kafka
     * Streams may commit once more after closing the processors: the causes still pending are written then, once,
     * and the hook lets go of them too.
     */
    void close() {
        CauseBook closing = book;
        causes.beforeCommit(() -> {
            closing.flush();
            causes.beforeCommit(null);
        });
        causes.detach();
        store.detach();
    }

    TaskStore causesStore() {
        return causes;
    }

    /** Writes the causes booked since the last commit: the processor that books them runs it before each commit. */
    void flushCauses() {
        book.flush();
    }

    TaskStore store() {
        return store;
    }

    /** This task's clock: its requests partition's ({@link Watermarks#NONE} before the first tick). */
    long now() {
        byte[] raw = store.meta(CLOCK);
        return raw == null ? Watermarks.NONE : ByteBuffer.wrap(raw).getLong();
    }

    void advance(long time) {
        if (time > now()) {
            store.putMeta(CLOCK, ByteBuffer.allocate(8).putLong(time).array());
        }
    }

    /** Indexes a cause, and judges the lookups waiting for it here; true if its id was booked before. */
    boolean cause(CausalFact cause, Consumer<CausalOutcome> out) {
        // One id delivered twice (a producer retry): the earliest stamp stands for it, in any arrival order.
        boolean again = book.add(cause) == CauseBook.Booked.AGAIN;
        if (!waiting.links.contains(cause.link())) {
            return again;
        }
        String key = "l|" + cause.link();
        byte[] raw = store.get(key);
        if (raw == null) {
            return again;
        }
        Waiting w = Waiting.fromBytes(raw, cause.link());
        List<CausalFact> beyond = new ArrayList<>();
        for (CausalFact effect : w.effects) {
            // The same horizon as a lookup that finds its cause at once: arrival order must not change the verdict.
            if (Math.abs(cause.time() - effect.time()) <= s.horizonMs()) {
                judge(cause, effect, out);
            } else {
                beyond.add(effect);
            }
        }
        if (beyond.isEmpty()) {
            forget(key, w);
        } else {
            w.effects.retainAll(beyond);
            store.put(key, w.toBytes());
        }
        return again;
    }

    /** Counts an effect ingested here as sent (its lookup goes to every input task). */
    void sent(CausalFact effect) {
        count(effect, "s|");
    }

    /** Looks an effect up: judged now if its cause is here, else it waits here for the horizon. */
    void lookup(CausalFact effect, Consumer<CausalOutcome> out) {
        CausalFact cause = find(effect);
        if (cause != null) {
            judge(cause, effect, out);
            return;
        }
        long now = now();
        if (now != Watermarks.NONE && effect.time() + s.horizonMs() + graceMs <= now) {
            return; // this task has passed the horizon already: its cause is not here
        }
        String key = "l|" + effect.link();
        byte[] raw = store.get(key);
        Waiting w;
        if (raw == null) {
            if (!admit()) {
                return; // counted; logged by the tick
            }
            w = new Waiting();
            w.firstSeen = effect.time();
            store.schedule(w.firstSeen + s.horizonMs() + graceMs, key);
        } else {
            w = Waiting.fromBytes(raw, effect.link());
        }
        if (w.effects.size() < s.maxPendingEffects()) {
            w.effects.add(effect);
            store.put(key, w.toBytes());
            waiting.links.add(effect.link());
        } else {
            addMeta("overflow-effects", 1);
        }
    }

    /** Forgets the lookups this task has held past the horizon on its own clock: their cause is not here. */
    void expire(long now) {
        store.forEachDue(now, d -> {
            byte[] raw = store.get(d.key());
            if (raw == null) {
                store.cancel(d.time(), d.key());
                return;
            }
            forget(d.key(), Waiting.fromBytes(raw, d.key().substring(2)));
        });
    }

    /**
     * Sends the counts of the windows no effect can still reach: {@code now} is the slowest input task's clock as
     * relayed through the lookups, so every lookup sent before it has been answered here.
     */
    void flushCounts(long now, Consumer<CausalOutcome> out) {
        store.forEachDue(COUNTS, now, d -> {
            store.cancel(COUNTS, d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            if (raw == null) {
                return;
            }
            Bin.Reader r = Bin.versioned(raw, VERSION, "causal counts");
            long sent = r.varlong();
            long found = r.varlong();
            String[] parts = d.key().split("\\|", 3);
            long start = Long.parseLong(parts[1]);
            out.accept(CausalOutcome.counts(parts[2], start, sent, found));
        });
    }

    /**
     * Links with lookups waiting are capped per task ({@code max-links}). The count lives in the store, not in a
     * field: both processors of the task change it, each through its own instance.
     */
    private boolean admit() {
        if (metaLong("waiting") >= s.maxLinks()) {
            addMeta("overflow", 1);
            return false;
        }
        addMeta("waiting", 1);
        return true;
    }

    private void release() {
        if (metaLong("waiting") > 0) {
            addMeta("waiting", -1);
        }
    }

    /** Lookups not kept for the cap, and effects over max-pending-effects, since the last call. */
    long[] drainOverflow() {
        long[] n = {metaLong("overflow"), metaLong("overflow-effects"), book.drainOverflow()};
        if (n[0] != 0) {
            addMeta("overflow", -n[0]);
        }
        if (n[1] != 0) {
            addMeta("overflow-effects", -n[1]);
        }
        return n;
    }

    private long metaLong(String name) {
        byte[] raw = store.meta(name);
        return raw == null ? 0 : ByteBuffer.wrap(raw).getLong();
    }

    private void addMeta(String name, long delta) {
        store.putMeta(name, ByteBuffer.allocate(8).putLong(metaLong(name) + delta).array());
    }

    private CausalFact find(CausalFact effect) {
        CausalFact c = book.find(effect.link());
        return c != null && Math.abs(c.time() - effect.time()) <= s.horizonMs() ? c : null;
    }

    /**
     * Forgets the causes no lookup can reach any more: those of buckets that the slowest input task, as relayed
     * behind the lookups, has passed by a horizon and the grace. Driven by the slowest task, not this one: a
     * partition may run far ahead of another (a catch-up), and the other's effects still need its causes.
     */
    void expireCauses(long slowest) {
        book.expire(slowest, 2 * s.horizonMs() + graceMs);
    }

    private void judge(CausalFact cause, CausalFact effect, Consumer<CausalOutcome> out) {
        CausalJudge.Verdict v = CausalJudge.judge(cause.stamp(), effect.stamp(), s.toleranceMs());
        count(effect, "f|");
        if (v.violation()) {
            out.accept(CausalOutcome.violation(cause, effect, v));
        }
    }

    private void forget(String key, Waiting w) {
        store.cancel(w.firstSeen + s.horizonMs() + graceMs, key);
        store.delete(key);
        waiting.links.remove(key.substring(2));
        release();
    }

    /** Sent ("s|") or found ("f|") effects of one node in one window, kept together under one key. */
    private void count(CausalFact effect, String which) {
        long start = Math.floorDiv(effect.time(), s.windowMs()) * s.windowMs();
        String key = "c|" + start + "|" + effect.node();
        byte[] raw = store.get(key);
        long sent = 0;
        long found = 0;
        if (raw == null) {
            store.schedule(COUNTS, start + s.windowMs() + s.horizonMs() + graceMs, key);
        } else {
            Bin.Reader r = Bin.versioned(raw, VERSION, "causal counts");
            sent = r.varlong();
            found = r.varlong();
        }
        if (which.equals("s|")) {
            sent++;
        } else {
            found++;
        }
        store.put(key, Bin.writer().u8(VERSION).varlong(sent).varlong(found).bytes());
    }

    /** Effects waiting for the cause of one link in this task, since the first of them arrived. */
    private static final class Waiting {
        long firstSeen;
        final List<CausalFact> effects = new ArrayList<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(firstSeen).varlong(effects.size());
            effects.forEach(f -> w.bytes(f.toBytes()));
            return w.bytes();
        }

        static Waiting fromBytes(byte[] b, String link) {
            Bin.Reader r = Bin.versioned(b, VERSION, "waiting lookups");
            Waiting w = new Waiting();
            w.firstSeen = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                CausalFact f = CausalFact.fromBytes(r.bytes());
                w.effects.add(f.at(link, f.time()));
            }
            return w;
        }
    }
}
