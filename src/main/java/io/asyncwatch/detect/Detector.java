package io.asyncwatch.detect;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import java.util.Map;
import org.apache.kafka.streams.kstream.KStream;

/**
 * One detector: its package under {@code detect/}, its settings section ({@code asyncwatch.<name>.*}), the
 * resolution policy of each alert type it raises, and one wiring function from the shared inputs to findings,
 * metrics and dead letters. Registering it in {@link Detectors} is all it takes to add one.
 */
public interface Detector {

    /** Also the settings section and the prefix of its processors, stores and internal topics. */
    String name();

    SettingsSpec<?> settings();

    Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config);

    Outputs wire(SharedInputs inputs, AsyncwatchConfig config);

    /**
     * Event time after the last input by which everything this detector will say about it has been said (windows
     * closed, horizons passed); {@code replay} lets this much silence pass at the end of a recording.
     */
    long settleMs(AsyncwatchConfig config);

    /**
     * @param findings    keyed by fingerprint, not yet repartitioned (the alert stage re-keys each detector's own)
     * @param metrics     keyed by series ({@link Metric#seriesKey()})
     * @param deadLetters events this detector rejected (late beyond grace, ...), or null
     */
    record Outputs(KStream<String, Finding> findings, KStream<String, Metric> metrics,
                   KStream<String, DeadLetter> deadLetters) {
    }
}
