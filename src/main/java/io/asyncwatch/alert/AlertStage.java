package io.asyncwatch.alert;

import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Broadcast;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
 * finding's {@code source}): that task's findings and ticks (sent to every partition here) arrive in the order it
 * produced them, so a subject's own clear windows always arrive before its silence deadline passes, and findings of
 * other tasks, ahead or behind in event time, cannot resolve it. The stage has no clock of its own: detector tasks
 * keep ticking through silence, and one that stops ticking has stopped judging. Deadlines (resolution by silence or quiet,
 * re-announcement, forgetting) live in the store sorted by time, one lane per clock, so only what is due is read.
 */
public final class AlertStage {

    public static final String STORE = "alert-episodes";
    private static final int LANES_VERSION = 1;

    private AlertStage() {
    }

    /** {@code findingsByDetector}: detector name to its findings (and ticks) keyed by fingerprint, not yet re-keyed. */
    public static KStream<String, Alert> wire(Map<String, KStream<String, Finding>> findingsByDetector,
                                              AlertLifecycle lifecycle, AlertSettings settings, StoreMode stores) {
        KStream<String, Finding> merged = null;
        for (Map.Entry<String, KStream<String, Finding>> e : findingsByDetector.entrySet()) {
            KStream<String, Finding> own = e.getValue().repartition(
                    Repartitioned.with(Serdes.String(), Finding.SERDE).withName(e.getKey() + "-findings")
                            .withStreamPartitioner(new Broadcast<>(Finding::isTick)));
            merged = merged == null ? own : merged.merge(own, Named.as("alert-findings-" + e.getKey()));
        }
        if (merged == null) {
            throw new IllegalArgumentException("no detector feeds the alert stage");
        }
        return merged.process(new Supplier(lifecycle, settings, stores), Named.as("alert-stage"));
    }

    private record Supplier(AlertLifecycle lifecycle, AlertSettings settings, StoreMode storeMode)
            implements ProcessorSupplier<String, Finding, String, Alert> {
        @Override
        public Processor<String, Finding, String, Alert> get() {
            return new AlertProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    private static final class AlertProcessor implements Processor<String, Finding, String, Alert> {
        private static final Logger LOG = LoggerFactory.getLogger(AlertStage.class);

        private final Supplier conf;
        /** "TYPE|source" to its lane; a clock per lane: the detector task's latest finding or tick. */
        private final Map<String, Integer> lanes = new TreeMap<>();
        private final Map<Integer, Long> clocks = new HashMap<>();
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
            lanes.clear(); // a task revived after a dirty close gets this instance again
            clocks.clear();
            byte[] saved = store.meta("lanes");
            if (saved != null) {
                lanes.putAll(toLanes(saved));
            }
            lanes.values().forEach(lane -> {
                byte[] t = store.meta("clock:" + lane);
                if (t != null) {
                    clocks.put(lane, ByteBuffer.wrap(t).getLong());
                }
            });
        }

        private int lane(AlertType type, String source) {
            String name = type.name() + "|" + source;
            Integer lane = lanes.get(name);
            if (lane == null) {
                lane = lanes.size();
                lanes.put(name, lane);
                store.putMeta("lanes", fromLanes(lanes));
            }
            return lane;
        }

        @Override
        public void process(Record<String, Finding> record) {
            Finding f = record.value();
            int lane = lane(f.type(), f.source());
            Long before = clocks.get(lane);
            long now = before == null ? f.windowEnd() : Math.max(before, f.windowEnd());
            if (before == null || now != before) {
                clocks.put(lane, now);
                store.putMeta("clock:" + lane, ByteBuffer.allocate(8).putLong(now).array());
            }
            if (!f.isTick()) {
                byte[] raw = store.get(f.fingerprint());
                Episode episode = raw == null ? null : Episode.fromBytes(raw);
                if (episode == null && !f.isClear() && !budget.admit()) {
                    LOG.warn("alert stage tracks {} fingerprints (asyncwatch.alerts.max-fingerprints) in task {}: "
                            + "{} finding(s) for new fingerprints were not alerted, e.g. {}", budget.cap(),
                            context.taskId(), budget.drainOverflow(), f.fingerprint());
                } else {
                    apply(episode, conf.lifecycle().onFinding(episode, f));
                }
            }
            sweep(lane, now);
        }

        private void sweep(int lane, long now) {
            store.forEachDue(lane, now, d -> {
                byte[] raw = store.get(d.key());
                Episode e = raw == null ? null : Episode.fromBytes(raw);
                if (e == null || e.deadline() != d.time() || lane(e.type(), e.source()) != lane) {
                    store.cancel(lane, d.time(), d.key()); // stale entry
                } else {
                    apply(e, conf.lifecycle().onTime(e, now));
                }
            });
        }

        private void apply(Episode before, AlertLifecycle.Step step) {
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
                context.forward(new Record<>(alert.fingerprint(), alert, alert.windowEnd()));
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
