package io.asyncwatch.alert;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Broadcast;
import io.asyncwatch.time.Watermarks;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one alert stage every detector feeds. Each detector's findings are re-keyed by fingerprint on their own
 * (merging first would fuse the detectors into one sub-topology with one stream time) and meet here.
 *
 * <p>Time: an episode's silence is measured on the clock of the detector task that judges its subject (the
 * finding's {@code source}), moved by that task's ticks (sent to every partition here) only: they arrive in the order
 * the task produced them, after every finding it judged up to then, so a subject's own clear windows always arrive
 * before its silence deadline passes. Neither findings of other tasks (ahead or behind in event time) nor the task's
 * own findings of other subjects (one subject's windows may come before another's earlier ones after the task's clock
 * jumped) can resolve it. The stage has no clock of its own: detector tasks
 * keep ticking through silence, and one that stops ticking has stopped judging. Deadlines (resolution by silence or quiet,
 * re-announcement, forgetting) live in the store sorted by time, one lane per clock, so only what is due is read.
 */
public final class AlertStage {

    public static final String STORE = "alert-episodes";
    private static final int LANES_VERSION = 1;
    /**
     * Deadlines of one episode met before one finding at most (resolve, announce again, forget); a gap of more
     * announcements than that is rare enough to let the finding join the episode.
     */
    private static final int MAX_CATCH_UP_STEPS = 8;
    /** How far the slowest lane must move before the stage says so downstream (the standup needs no finer). */
    static final long TICK_STEP_MS = 10_000;

    /**
     * What the stage emits: an alert, with {@code at} the clock of the detector task it is about when it was emitted
     * (or the end of the finding's window, if later);
     * or ({@code alert == null}) a tick: every lane of task {@code source} has reached {@code at}, so no alert this
     * task emits from now on has an earlier {@code at}.
     */
    public record Out(Alert alert, long at, String source) {
        public boolean isTick() {
            return alert == null;
        }
    }

    private AlertStage() {
    }

    /**
     * @param findingsByDetector detector name to its findings (and ticks) keyed by fingerprint, not yet re-keyed
     * @param optionalInput      whether a detector task (a finding's {@code source}) is fed only by topics a deployment
     *                           may not have: its lanes do not hold the stage's clock while their own has not started
     * @param tickWarmupMs       wall-clock time after an alert-stage task's first record (a finding, a tick or an
     *                           announcement) before it ticks: a detector task is known here only once it is first
     *                           heard from, and one that starts later than the others must still be waited for (live,
     *                           tasks start seconds apart)
     */
    public static KStream<String, Out> wire(Map<String, KStream<String, Finding>> findingsByDetector,
                                            AlertLifecycle lifecycle, AlertSettings settings, StoreMode stores,
                                            Predicate<String> optionalInput, long tickWarmupMs) {
        KStream<String, Finding> merged = null;
        for (Map.Entry<String, KStream<String, Finding>> e : findingsByDetector.entrySet()) {
            KStream<String, Finding> own = e.getValue().repartition(
                    Repartitioned.with(Serdes.String(), Finding.SERDE).withName(e.getKey() + "-findings")
                            .withNumberOfPartitions(Watermarks.LIGHT_STAGE_PARTITIONS)
                            .withStreamPartitioner(new Broadcast<>(Finding::isTick)));
            merged = merged == null ? own : merged.merge(own, Named.as("alert-findings-" + e.getKey()));
        }
        if (merged == null) {
            throw new IllegalArgumentException("no detector feeds the alert stage");
        }
        return merged.process(new Supplier(lifecycle, settings, stores, optionalInput, tickWarmupMs),
                Named.as("alert-stage"));
    }

    /** The alerts alone, for the alerts topic. */
    public static KStream<String, Alert> alerts(KStream<String, Out> out) {
        return out.filter((k, o) -> !o.isTick(), Named.as("alert-stage-alerts"))
                .mapValues(Out::alert, Named.as("alert-stage-alert-values"));
    }

    private record Supplier(AlertLifecycle lifecycle, AlertSettings settings, StoreMode storeMode,
                            Predicate<String> optionalInput, long tickWarmupMs)
            implements ProcessorSupplier<String, Finding, String, Out> {
        @Override
        public Processor<String, Finding, String, Out> get() {
            return new AlertProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.durableTaskStore(STORE, storeMode));
        }
    }

    private static final class AlertProcessor implements Processor<String, Finding, String, Out> {
        private static final Logger LOG = LoggerFactory.getLogger(AlertStage.class);

        private final Supplier conf;
        /** "TYPE|source" to its lane; a clock per lane: the detector task's latest tick ({@code NONE} before it). */
        private final Map<String, Integer> lanes = new TreeMap<>();
        private final Map<Integer, Long> clocks = new HashMap<>();
        private ProcessorContext<String, Out> context;
        private TaskStore store;
        private KeyBudget budget;
        private String source;
        private long lastTick = Long.MIN_VALUE;
        private boolean announced;
        /** Wall-clock time of the task's first record (kept in the store: a restart does not warm up again). */
        private long firstWall;
        private final Set<String> lateWarned = new HashSet<>();

        AlertProcessor(Supplier conf) {
            this.conf = conf;
        }

        @Override
        public void init(ProcessorContext<String, Out> context) {
            this.context = context;
            this.source = "alert-stage:" + context.taskId().partition();
            this.lastTick = Long.MIN_VALUE;
            this.announced = false;
            this.store = new TaskStore(context.getStateStore(STORE));
            this.budget = new KeyBudget(store, "fingerprints", conf.settings().maxFingerprints());
            lanes.clear(); // a task revived after a dirty close gets this instance again
            lateWarned.clear();
            clocks.clear();
            byte[] saved = store.meta("lanes");
            if (saved != null) {
                lanes.putAll(toLanes(saved));
            }
            // A lane heard from only through findings has no stored clock: not started, it holds the stage's tick.
            lanes.values().forEach(lane -> {
                byte[] t = store.meta("clock:" + lane);
                clocks.put(lane, t == null ? Watermarks.NONE : ByteBuffer.wrap(t).getLong());
            });
            byte[] first = store.meta("first-wall");
            this.firstWall = first == null ? Long.MIN_VALUE : ByteBuffer.wrap(first).getLong();
        }

        private static String laneName(AlertType type, String source) {
            return type.name() + "|" + source;
        }

        private int lane(AlertType type, String source) {
            String name = laneName(type, source);
            Integer lane = lanes.get(name);
            if (lane == null) {
                lane = lanes.size();
                lanes.put(name, lane);
                store.putMeta("lanes", fromLanes(lanes));
                clocks.put(lane, Watermarks.NONE); // not started until its task's first tick
            }
            return lane;
        }

        @Override
        public void process(Record<String, Finding> record) {
            Finding f = record.value();
            if (lastTick != Long.MIN_VALUE && !lanes.containsKey(laneName(f.type(), f.source()))) {
                warnIfLate(f);
            }
            if (firstWall == Long.MIN_VALUE) {
                firstWall = context.currentSystemTimeMs();
                store.putMeta("first-wall", ByteBuffer.allocate(8).putLong(firstWall).array());
            }
            int lane = lane(f.type(), f.source());
            long before = clocks.get(lane);
            long now = Math.max(before, f.windowEnd());
            // Only ticks move a lane: a detector task sends each subject's windows in order, but after its clock
            // jumps (a catch-up, a restart) it may send one subject's later windows before another subject's earlier
            // ones, so a finding does not say that nothing earlier will follow; a tick does.
            if (f.isTick() && now != before) {
                clocks.put(lane, now);
                store.putMeta("clock:" + lane, ByteBuffer.allocate(8).putLong(now).array());
            }
            if (!f.isTick()) {
                Episode episode = deadlinesPassedBy(f);
                if (episode == null && !f.isClear() && !budget.admit()) {
                    LOG.warn("alert stage tracks {} fingerprints (asyncwatch.alerts.max-fingerprints) in task {}: "
                            + "{} finding(s) for new fingerprints were not alerted, e.g. {}", budget.cap(),
                            context.taskId(), budget.drainOverflow(), f.fingerprint());
                } else {
                    apply(episode, conf.lifecycle().onFinding(episode, f), now);
                }
            }
            sweep(lane, clocks.get(lane));
            tick();
        }

        /**
         * The finding's episode once every deadline it has up to the finding's window end is met, at that deadline.
         * A detector task sends one subject's windows in order, and a window only once its clock has passed the
         * window's end: ticks up to there would have come first. So when its clock jumps (a restart, a catch-up) and
         * it sends windows minutes apart without ticks between them, the episode resolves (or is announced again, or
         * forgotten) as those ticks would have made it, and as replay does. Other subjects' episodes wait for ticks:
         * this finding says nothing about them.
         */
        private Episode deadlinesPassedBy(Finding f) {
            byte[] raw = store.get(f.fingerprint());
            Episode e = raw == null ? null : Episode.fromBytes(raw);
            for (int steps = 0; e != null && e.deadline() >= 0 && e.deadline() <= f.windowEnd()
                    && e.source().equals(f.source()) && steps < MAX_CATCH_UP_STEPS; steps++) {
                long at = e.deadline();
                AlertLifecycle.Step step = conf.lifecycle().onTime(e, at);
                apply(e, step, at);
                if (e.equals(step.episode())) {
                    break; // a deadline scheduled under other settings: nothing was due at it
                }
                raw = store.get(f.fingerprint());
                e = raw == null ? null : Episode.fromBytes(raw);
            }
            return e;
        }

        /**
         * A task first heard from behind what the stage has already told the standup: its alerts before that may be
         * missing from summaries already published. Once per task; not for tasks fed only by optional inputs.
         */
        private void warnIfLate(Finding f) {
            long t = f.windowEnd();
            if (t == Watermarks.IDLE || t >= lastTick || conf.optionalInput().test(f.source())
                    || !lateWarned.add(f.source())) {
                return;
            }
            LOG.warn("alert stage task {}: detector task {} was first heard from behind the stage's last tick ({}):"
                    + " standup summaries already published may miss its alerts; raise asyncwatch.standup.warmup-ms"
                    + " if tasks start that far apart", context.taskId(), f.source(),
                    java.time.Instant.ofEpochMilli(lastTick));
        }

        /**
         * The slowest lane, sent on each {@link #TICK_STEP_MS} it moves; a lane whose clock has not started holds it,
         * unless its stage is fed only by heartbeats and clock readings (a deployment may have none). Nothing but the
         * announcement before the warm-up has passed: lanes are learnt as their tasks are first heard from.
         */
        private void tick() {
            long min = Long.MAX_VALUE;
            for (Map.Entry<String, Integer> lane : lanes.entrySet()) {
                Long c = clocks.get(lane.getValue());
                String laneSource = lane.getKey().substring(lane.getKey().indexOf('|') + 1);
                if (c == null || c == Watermarks.IDLE || (c == Watermarks.NONE
                        && conf.optionalInput().test(laneSource))) {
                    continue;
                }
                min = Math.min(min, c);
            }
            boolean warm = context.currentSystemTimeMs() - firstWall >= conf.tickWarmupMs();
            if (min == Long.MAX_VALUE || min == Watermarks.NONE || !warm) {
                if (!announced) {
                    // Held by a detector task not started yet: announced once, so the standup waits for this task.
                    announced = true;
                    context.forward(new Record<>("", new Out(null, Watermarks.NONE, source),
                            Math.max(0, context.currentSystemTimeMs())));
                }
                return;
            }
            if (lastTick == Long.MIN_VALUE || min >= lastTick + TICK_STEP_MS) {
                announced = true;
                lastTick = min;
                context.forward(new Record<>("", new Out(null, min, source), Math.max(0, min)));
            }
        }

        private void sweep(int lane, long now) {
            store.forEachDue(lane, now, d -> {
                byte[] raw = store.get(d.key());
                Episode e = raw == null ? null : Episode.fromBytes(raw);
                if (e == null || e.deadline() != d.time() || lane(e.type(), e.source()) != lane) {
                    store.cancel(lane, d.time(), d.key()); // stale entry
                } else {
                    apply(e, conf.lifecycle().onTime(e, now), now);
                }
            });
        }

        /** @param now the clock of the lane the step happened on: the alerts' {@code at} */
        private void apply(Episode before, AlertLifecycle.Step step, long now) {
            Episode after = step.episode();
            if (after == null) {
                if (before != null) {
                    if (before.deadline() >= 0) {
                        store.cancel(lane(before.type(), before.source()), before.deadline(), before.fingerprint());
                    }
                    store.delete(before.fingerprint());
                    budget.release();
                }
            } else if (!after.equals(before)) {
                long deadline = conf.lifecycle().deadline(after);
                boolean moved = before != null && !before.source().equals(after.source());
                if (after.deadline() != deadline || moved) {
                    if (before != null && before.deadline() >= 0) {
                        store.cancel(lane(before.type(), before.source()), before.deadline(), before.fingerprint());
                    }
                    store.schedule(lane(after.type(), after.source()), deadline, after.fingerprint());
                    after = after.withDeadline(deadline);
                }
                store.put(after.fingerprint(), after.toBytes());
            }
            for (Alert alert : step.alerts()) {
                context.forward(new Record<>(alert.fingerprint(), new Out(alert, now, source), alert.windowEnd()));
            }
        }

        private static byte[] fromLanes(Map<String, Integer> lanes) {
            Bin.Writer w = Bin.writer().u8(LANES_VERSION).varlong(lanes.size());
            lanes.forEach((k, v) -> w.str(k).varlong(v));
            return w.bytes();
        }

        private static Map<String, Integer> toLanes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, LANES_VERSION, "alert lanes");
            Map<String, Integer> m = new TreeMap<>();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                m.put(r.str(), r.varint());
            }
            return m;
        }
    }
}
