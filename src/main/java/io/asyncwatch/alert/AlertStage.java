package io.asyncwatch.alert;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.IdleClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
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
 * <p>Time: every alert type has its own clock (the latest window end of its findings, moved on by wall-clock
 * silence), so findings of one detector, stamped in its own time, never resolve another detector's episodes.
 * Deadlines (resolution by silence or quiet, re-announcement, forgetting) live in the store sorted by time per
 * type, so only what is due is read.
 */
public final class AlertStage {

    public static final String STORE = "alert-episodes";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int DUE_BATCH = 1_000;

    private AlertStage() {
    }

    /** {@code findingsByDetector}: detector name to its findings keyed by fingerprint (not yet repartitioned). */
    public static KStream<String, Alert> wire(Map<String, KStream<String, Finding>> findingsByDetector,
                                              AlertLifecycle lifecycle, AlertSettings settings, long idleMs,
                                              boolean inMemory) {
        KStream<String, Finding> merged = null;
        for (Map.Entry<String, KStream<String, Finding>> e : findingsByDetector.entrySet()) {
            KStream<String, Finding> own = e.getValue().repartition(
                    Repartitioned.with(Serdes.String(), Finding.SERDE).withName(e.getKey() + "-findings"));
            merged = merged == null ? own : merged.merge(own, Named.as("alert-findings-" + e.getKey()));
        }
        if (merged == null) {
            throw new IllegalArgumentException("no detector feeds the alert stage");
        }
        return merged.process(new Supplier(lifecycle, settings, idleMs, inMemory), Named.as("alert-stage"));
    }

    private record Supplier(AlertLifecycle lifecycle, AlertSettings settings, long idleMs, boolean inMemory)
            implements ProcessorSupplier<String, Finding, String, Alert> {
        @Override
        public Processor<String, Finding, String, Alert> get() {
            return new AlertProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, inMemory));
        }
    }

    private static final class AlertProcessor implements Processor<String, Finding, String, Alert> {
        private static final Logger LOG = LoggerFactory.getLogger(AlertStage.class);

        private final Supplier conf;
        private final Map<AlertType, IdleClock> clocks = new EnumMap<>(AlertType.class);
        private ProcessorContext<String, Alert> context;
        private TaskStore store;
        private KeyBudget budget;

        AlertProcessor(Supplier conf) {
            this.conf = conf;
        }

        @Override
        public void init(ProcessorContext<String, Alert> context) {
            this.context = context;
            this.store = new TaskStore(context.getStateStore(STORE));
            this.budget = new KeyBudget(store, "fingerprints", conf.settings().maxFingerprints());
            long wall = context.currentSystemTimeMs();
            for (AlertType type : AlertType.values()) {
                byte[] t = store.meta("clock:" + type.name());
                if (t != null) {
                    clock(type).restore(ByteBuffer.wrap(t).getLong(), wall);
                }
            }
            context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
        }

        private IdleClock clock(AlertType type) {
            return clocks.computeIfAbsent(type, t -> new IdleClock(conf.idleMs()));
        }

        @Override
        public void process(Record<String, Finding> record) {
            Finding f = record.value();
            IdleClock clock = clock(f.type());
            long before = clock.time();
            clock.observe(f.windowEnd(), context.currentSystemTimeMs());
            if (clock.time() != before) {
                store.putMeta("clock:" + f.type().name(), ByteBuffer.allocate(8).putLong(clock.time()).array());
            }
            byte[] raw = store.get(f.fingerprint());
            Episode episode = raw == null ? null : Episode.fromBytes(raw);
            if (episode == null && !f.isClear() && !budget.admit()) {
                long n = budget.drainOverflow();
                LOG.warn("alert stage tracks {} fingerprints (asyncwatch.alerts.max-fingerprints) in task {}: {} "
                        + "finding(s) for new fingerprints were not alerted, e.g. {}", budget.cap(),
                        context.taskId(), n, f.fingerprint());
                return;
            }
            apply(episode, conf.lifecycle().onFinding(episode, f));
            sweep(f.type(), clock.time());
        }

        private void tick(long wall) {
            for (Map.Entry<AlertType, IdleClock> e : new ArrayList<>(clocks.entrySet())) {
                long now = e.getValue().now(wall);
                if (now != IdleClock.NONE) {
                    sweep(e.getKey(), now);
                }
            }
        }

        private void sweep(AlertType type, long now) {
            int lane = type.ordinal();
            while (store.anyDue(lane, now)) {
                List<TaskStore.Due> due = store.due(lane, now, DUE_BATCH);
                for (TaskStore.Due d : due) {
                    byte[] raw = store.get(d.key());
                    Episode e = raw == null ? null : Episode.fromBytes(raw);
                    if (e == null || e.deadline() != d.time()) {
                        store.cancel(lane, d.time(), d.key()); // stale entry
                        continue;
                    }
                    apply(e, conf.lifecycle().onTime(e, now));
                }
                if (due.size() < DUE_BATCH) {
                    break;
                }
            }
        }

        private void apply(Episode before, AlertLifecycle.Step step) {
            Episode after = step.episode();
            if (after == null) {
                if (before != null) {
                    if (before.deadline() >= 0) {
                        store.cancel(before.type().ordinal(), before.deadline(), before.fingerprint());
                    }
                    store.delete(before.fingerprint());
                    budget.release();
                }
            } else if (!after.equals(before)) {
                long deadline = conf.lifecycle().deadline(after);
                if (after.deadline() != deadline) {
                    if (after.deadline() >= 0) {
                        store.cancel(after.type().ordinal(), after.deadline(), after.fingerprint());
                    }
                    store.schedule(after.type().ordinal(), deadline, after.fingerprint());
                    after = after.withDeadline(deadline);
                }
                store.put(after.fingerprint(), after.toBytes());
            }
            for (Alert alert : step.alerts()) {
                context.forward(new Record<>(alert.fingerprint(), alert, alert.windowEnd()));
            }
        }
    }
}
