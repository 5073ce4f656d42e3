package io.asyncwatch.detect.amplification;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.Judged;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.calls.CallWindowSettings;
import io.asyncwatch.detect.calls.CallWindows;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.kstream.Named;

/**
 * Amplification per layer, the seeds' death spiral (gateway 3x, services 9x, database 27x): each layer's attempts
 * per user intent entering the entry layer, against that layer's own usual fan-out (one page view may normally
 * cause three database calls; tripling that is amplification), and its growth over 5 minutes. Alerts when the
 * factors compound down the stack, with the storm components table and the circuit-breaker radar.
 */
public final class LayerAmplification implements Detector {

    public static final String NAME = "layer-amplification";
    public static final String METRIC = "layer_amplification";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return AmplificationSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.LAYER_AMPLIFICATION, AlertPolicy.windowed(
                config.settings(CallWindowSettings.SPEC).windowMs(), AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.settings(CallWindowSettings.SPEC).windowMs() + 2 * CallWindows.closeAfterMs(config);
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        AmplificationSettings s = config.settings(AmplificationSettings.SPEC);
        long windowMs = config.settings(CallWindowSettings.SPEC).windowMs();
        return Judged.outputs(CallWindows.allServices(inputs, config).process(
                new AmplificationProcessor.Supplier(s, windowMs, CallWindows.closeAfterMs(config),
                        inputs.stores()), Named.as(NAME)), NAME);
    }

    private static boolean breakerShouldBeOpen(AmplificationProcessor.LayerWindow l, AmplificationSettings s) {
        return !Double.isNaN(l.factor()) && l.factor() > s.breakerFactor() && l.breakerClosed() > 0;
    }

    private static String breaker(AmplificationProcessor.LayerWindow l, AmplificationSettings s) {
        long known = l.breakerClosed() + l.breakerOpen() + l.breakerHalfOpen();
        if (known == 0) {
            return "not reported";
        }
        if (breakerShouldBeOpen(l, s)) {
            return "CLOSED (should be OPEN!)";
        }
        if (l.breakerOpen() > 0) {
            return "OPEN";
        }
        return l.breakerHalfOpen() > 0 ? "HALF_OPEN" : "CLOSED";
    }

    static Metric metric(AmplificationProcessor.LayerWindow l, int position, int layers, long start, long end,
                         long windowMs, AmplificationSettings s) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("attempts", (double) l.attempts());
        values.put("attemptsPerSec", l.attempts() * 1000.0 / windowMs);
        values.put("retries", (double) (l.attempts() - l.firstAttempts()));
        putIfKnown(values, "fanOut", l.fanOut());
        putIfKnown(values, "baselineFanOut", l.baselineFanOut());
        putIfKnown(values, "factor", l.factor());
        putIfKnown(values, "growth", l.growth());
        values.put("breakerClosed", (double) l.breakerClosed());
        values.put("breakerOpen", (double) l.breakerOpen());
        values.put("breakerHalfOpen", (double) l.breakerHalfOpen());
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("position", (position + 1) + "/" + layers);
        attributes.put("circuitBreaker", breaker(l, s));
        return new Metric(METRIC, Map.of("layer", l.layer()), start, end, values, attributes);
    }

    private static void putIfKnown(Map<String, Double> values, String key, double v) {
        if (!Double.isNaN(v)) {
            values.put(key, v);
        }
    }

    static Finding finding(List<String> order, boolean configured, List<AmplificationProcessor.LayerWindow> layers,
                           long intents, Severity severity, long start, long end, long windowMs,
                           AmplificationSettings s, String source) {
        String entry = order.get(0);
        Map<String, String> subject = new TreeMap<>();
        subject.put("entry", entry);
        subject.put("layers", String.join(" > ", order));
        String span = TIME.format(Instant.ofEpochMilli(start)) + "-" + TIME.format(Instant.ofEpochMilli(end)) + " UTC";
        List<String> components = new ArrayList<>();
        List<String> shouldOpen = new ArrayList<>();
        double deepest = Double.NaN;
        for (AmplificationProcessor.LayerWindow l : layers) {
            if (l.attempts() == 0) {
                continue;
            }
            components.add(String.format(Locale.ROOT, "%s %s (%.1f attempts/s)", l.layer(), factor(l.factor()),
                    l.attempts() * 1000.0 / windowMs));
            if (!Double.isNaN(l.factor())) {
                deepest = l.factor();
            }
            if (breakerShouldBeOpen(l, s)) {
                shouldOpen.add(String.format(Locale.ROOT, "%s (CLOSED on %.0f%% of its attempts)", l.layer(),
                        100.0 * l.breakerClosed() / l.attempts()));
            }
        }
        String summary;
        double threshold = severity == Severity.PAGE ? s.pageFactor() : s.alertFactor();
        if (severity != null) {
            summary = String.format(Locale.ROOT, "Retry amplification compounds down the stack in %s: %s, per user"
                    + " intent against each layer's usual fan-out (%s at >= %.0fx at the deepest layer)", span,
                    String.join(", ", components), severity, threshold);
            if (!shouldOpen.isEmpty()) {
                summary += "; circuit breaker should be OPEN at " + String.join(", ", shouldOpen);
            }
        } else {
            summary = String.format(Locale.ROOT, "Layers in %s: %s (no compounding amplification)", span,
                    String.join(", ", components));
        }
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "user intents entering %s: %d first attempts in %s", entry, intents,
                span));
        for (AmplificationProcessor.LayerWindow l : layers) {
            if (l.attempts() == 0) {
                continue;
            }
            evidence.add(String.format(Locale.ROOT,
                    "storm component %s: %d attempts (%.1f/s), %d retries, %s per intent vs usually %s over %d"
                            + " windows -> %s, growth %s vs %d min earlier, circuit breaker %s",
                    l.layer(), l.attempts(), l.attempts() * 1000.0 / windowMs, l.attempts() - l.firstAttempts(),
                    num(l.fanOut()), num(l.baselineFanOut()), l.baselineWindows(), factor(l.factor()),
                    factor(l.growth()), s.growthLagWindows() * windowMs / 60_000, breaker(l, s)));
        }
        evidence.add("layer order " + (configured ? "configured" : "inferred from caller -> destination edges") + ": "
                + String.join(" > ", order));
        return new Finding(Finding.fingerprint(AlertType.LAYER_AMPLIFICATION, Map.of("entry", entry)),
                AlertType.LAYER_AMPLIFICATION, severity, subject, summary, Double.isNaN(deepest) ? 0 : deepest,
                threshold, start, end, List.copyOf(evidence), source);
    }

    private static String factor(double f) {
        return Double.isNaN(f) ? "n/a" : String.format(Locale.ROOT, "%.1fx", f);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }
}
