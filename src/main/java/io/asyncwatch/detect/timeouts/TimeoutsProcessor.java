package io.asyncwatch.detect.timeouts;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.detect.Judged;
import io.asyncwatch.detect.calls.AllServicesProcessor;
import io.asyncwatch.detect.calls.CallStats;
import io.asyncwatch.detect.calls.ServiceWindow;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Judges each window of every service together: timeout effectiveness per service, the timeout ladder per path
 * (whose "downstream timeout" is the callee's own configured timeouts, hence all services in one place), and
 * cascades visible from configured timeouts alone on paths without traces. Each service's configured timeout toward
 * each destination is remembered for {@code remember-ms} (event time) after its last call there with one.
 */
final class TimeoutsProcessor extends AllServicesProcessor {

    static final String STORE = "timeouts-windows";
    private static final int KNOWN_LANE = 1;
    private static final int KNOWN_VERSION = 1;

    record Supplier(TimeoutSettings settings, long closeAfterMs, StoreMode storeMode)
            implements ProcessorSupplier<String, ServiceWindow, String, Judged> {
        @Override
        public Processor<String, ServiceWindow, String, Judged> get() {
            return new TimeoutsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private String findingSource;

    private TimeoutsProcessor(Supplier conf) {
        super(STORE, conf.closeAfterMs());
        this.conf = conf;
    }

    @Override
    protected void opened() {
        findingSource = Timeouts.NAME + ":" + source;
    }

    @Override
    protected void judge(long start, long end, List<ServiceWindow> windows) {
        TimeoutSettings s = conf.settings();
        // Forgotten on the judge's own event time, here rather than on a wall-clock tick: live and replay agree.
        store.forEachDue(KNOWN_LANE, end - s.rememberMs(), due -> {
            store.cancel(KNOWN_LANE, due.time(), due.key());
            store.delete(due.key());
        });
        for (ServiceWindow w : windows) {
            remember(w, end);
        }
        // Each service's configured timeouts, read once per judgement: the chains below every caller share them.
        Map<String, Map<String, Long>> edges = new HashMap<>();
        Function<String, Map<String, Long>> configured = svc -> edges.computeIfAbsent(svc, x -> known(x, end));
        for (ServiceWindow w : windows) {
            List<TimeoutMath.Rung> fixes = new ArrayList<>();
            List<String> fixedPaths = new ArrayList<>();
            for (Map.Entry<String, CallStats> e : w.edges().entrySet()) {
                CallStats c = e.getValue();
                if (c.withTimeout == 0) {
                    continue;
                }
                Map<String, Long> downstream = configured.apply(e.getKey());
                if (c.attempts >= s.minLadderCalls()) {
                    long deepest = downstream.values().stream().mapToLong(Long::longValue).max().orElse(0);
                    TimeoutMath.Rung rung = TimeoutMath.rung(c.timeoutMsMax, c.latency.quantile(0.99), deepest,
                            s.bufferMs(), s.reviewFactor());
                    emit(null, Timeouts.rungMetric(w, e.getKey(), rung, downstream), end);
                    if (rung.action() == TimeoutMath.Action.FIX) {
                        fixes.add(rung);
                        fixedPaths.add(e.getKey());
                    }
                }
                if (c.traced == 0 && !downstream.isEmpty()) {
                    TimeoutMath.Need need = TimeoutMath.configuredNeed(e.getKey(), configured);
                    if (c.timeoutMsMax < need.ms()) {
                        emit(Timeouts.configuredCascade(w, e.getKey(), c.timeoutMsMax, downstream, need,
                                findingSource), null, end);
                    }
                }
            }
            CallStats total = w.total();
            emit(Timeouts.effectiveness(w, total, s, fixedPaths, fixes, findingSource),
                    Timeouts.effectivenessMetric(w, total, s), end);
        }
    }


    @Override
    protected void tick(long time) {
        emit(Finding.tick(AlertType.TIMEOUT_EFFECTIVENESS, findingSource, time), null, time);
        emit(Finding.tick(AlertType.CASCADE_TIMEOUT, findingSource, time), null, time);
    }

    /** The configured timeouts of {@code w}'s service toward each destination, as of this window. */
    private void remember(ServiceWindow w, long end) {
        Map<String, Long> timeouts = new TreeMap<>();
        w.edges().forEach((d, c) -> {
            if (c.timeoutMsMax > 0 && !d.isEmpty()) {
                timeouts.put(d, c.timeoutMsMax);
            }
        });
        if (timeouts.isEmpty()) {
            return;
        }
        String key = "k|" + w.service();
        byte[] raw = store.get(key);
        Known k = raw == null ? new Known() : Known.fromBytes(raw);
        if (raw != null) {
            store.cancel(KNOWN_LANE, k.lastSeen(), key);
        }
        k.timeouts.values().removeIf(t -> t[1] <= end - conf.settings().rememberMs());
        timeouts.forEach((d, t) -> k.timeouts.put(d, new long[] {t, end}));
        store.put(key, k.toBytes());
        store.schedule(KNOWN_LANE, k.lastSeen(), key);
    }

    /** What {@code service} configures toward the destinations it called within the remembered span before end. */
    private Map<String, Long> known(String service, long end) {
        byte[] raw = service.isEmpty() ? null : store.get("k|" + service);
        if (raw == null) {
            return Map.of();
        }
        Map<String, Long> out = new TreeMap<>();
        Known.fromBytes(raw).timeouts.forEach((d, t) -> {
            if (t[1] > end - conf.settings().rememberMs()) {
                out.put(d, t[0]);
            }
        });
        return out;
    }

    /** What one service configures toward each destination, and when it was last seen doing so. */
    private static final class Known {
        /** Destination to {timeout, last seen (window end)}. */
        final Map<String, long[]> timeouts = new TreeMap<>();

        long lastSeen() {
            return timeouts.values().stream().mapToLong(t -> t[1]).max().orElse(Long.MIN_VALUE);
        }

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(KNOWN_VERSION).varlong(timeouts.size());
            timeouts.forEach((d, t) -> w.str(d).varlong(t[0]).varlong(t[1]));
            return w.bytes();
        }

        static Known fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, KNOWN_VERSION, "known timeouts");
            Known k = new Known();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                String d = r.str();
                long timeout = r.varlong();
                k.timeouts.put(d, new long[] {timeout, r.varlong()});
            }
            return k;
        }
    }
}
