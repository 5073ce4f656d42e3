package io.asyncwatch.detect.amplification;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.detect.Judged;
import io.asyncwatch.detect.calls.AllServicesProcessor;
import io.asyncwatch.detect.calls.CallStats;
import io.asyncwatch.detect.calls.ServiceWindow;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Judges each window of all services together: attempts per layer, user intents (first attempts at the entry
 * layer), each layer's fan-out per intent against its own baseline, and whether the factors compound down the
 * stack. Its input is a few records per service and window, never the raw stream.
 */
final class AmplificationProcessor extends AllServicesProcessor {

    static final String STORE = "layer-amplification-windows";

    record Supplier(AmplificationSettings settings, long windowMs, long closeAfterMs, StoreMode storeMode)
            implements ProcessorSupplier<String, ServiceWindow, String, Judged> {
        @Override
        public Processor<String, ServiceWindow, String, Judged> get() {
            return new AmplificationProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    /** One layer in one window, judged. */
    record LayerWindow(String layer, long attempts, long firstAttempts, long breakerClosed, long breakerOpen,
                       long breakerHalfOpen, double fanOut, double baselineFanOut, int baselineWindows, double factor,
                       double growth) {
    }

    private final Supplier conf;
    private String findingSource;

    private AmplificationProcessor(Supplier conf) {
        super(STORE, conf.closeAfterMs());
        this.conf = conf;
    }

    @Override
    protected void opened() {
        findingSource = LayerAmplification.NAME + ":" + source;
    }

    @Override
    protected void judge(long start, long end, List<ServiceWindow> windows) {
        AmplificationSettings s = conf.settings();
        LayerState state = LayerState.fromBytes(store.get("state"));
        for (ServiceWindow w : windows) {
            state.serviceLayers.put(w.service(), new LayerState.Seen(w.layer(), end));
        }
        for (ServiceWindow w : windows) {
            for (String d : w.edges().keySet()) {
                String callee = state.layerOf(d);
                if (callee != null && !callee.equals(w.layer())) {
                    state.edges.put(w.layer() + "|" + callee, end);
                }
            }
        }
        boolean configured = !s.layers().isEmpty();
        List<String> order = configured ? s.layers() : LayerOrder.infer(state.layers(), state.calls());
        Map<String, CallStats> byLayer = new LinkedHashMap<>();
        order.forEach(l -> byLayer.put(l, new CallStats()));
        for (ServiceWindow w : windows) {
            CallStats layer = byLayer.get(w.layer());
            if (layer != null) {
                layer.merge(w.total());
            }
        }
        long intents = order.isEmpty() ? 0 : byLayer.get(order.get(0)).firstAttempts;
        List<LayerWindow> judged = new ArrayList<>();
        List<Double> factors = new ArrayList<>();
        for (String layer : order) {
            CallStats c = byLayer.get(layer);
            double[] base = state.baseline(layer, start, s.baselineMs());
            double fanOut = AmplificationMath.fanOut(c.attempts, intents);
            boolean enough = intents >= s.minIntents() && base[1] >= s.minBaselineWindows();
            double factor = enough ? AmplificationMath.factor(fanOut, base[0]) : Double.NaN;
            double growth = AmplificationMath.growth(c.attempts,
                    state.attemptsAt(layer, start - s.growthLagWindows() * conf.windowMs()));
            factors.add(c.attempts > 0 ? factor : Double.NaN);
            judged.add(new LayerWindow(layer, c.attempts, c.firstAttempts, c.breakerClosed, c.breakerOpen,
                    c.breakerHalfOpen, fanOut, base[0], (int) base[1], factor, growth));
        }
        Severity severity = AmplificationMath.severity(factors, s.alertFactor(), s.pageFactor());
        for (LayerWindow l : judged) {
            state.add(l.layer(), new LayerState.Point(start, l.attempts(), intents, severity != null));
        }
        state.forget(start - s.baselineMs() - s.growthLagWindows() * conf.windowMs());
        store.put("state", state.toBytes());
        for (int i = 0; i < judged.size(); i++) {
            LayerWindow l = judged.get(i);
            if (l.attempts() > 0) {
                emit(null, LayerAmplification.metric(l, i, judged.size(), start, end, conf.windowMs(), s), end);
            }
        }
        if (!order.isEmpty() && intents >= s.minIntents()) {
            emit(LayerAmplification.finding(order, configured, judged, intents, severity, start, end,
                    conf.windowMs(), s, findingSource), null, end);
        }
    }


    @Override
    protected void tick(long time) {
        emit(Finding.tick(AlertType.LAYER_AMPLIFICATION, findingSource, time), null, time);
    }
}
