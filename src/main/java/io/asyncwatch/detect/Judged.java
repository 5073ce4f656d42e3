package io.asyncwatch.detect;

import io.asyncwatch.alert.Finding;
import io.asyncwatch.model.Metric;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * What a judging processor forwards when it builds findings and metric points itself: one or the other (a finding
 * may be a clock tick).
 */
public record Judged(Finding finding, Metric metric) {

    /** Splits them into the detector's outputs, each re-keyed for its sink (no dead letters). */
    public static Detector.Outputs outputs(KStream<String, Judged> judged, String name) {
        KStream<String, Metric> metrics = judged
                .filter((k, o) -> o.metric() != null, Named.as(name + "-measured"))
                .map((k, o) -> KeyValue.pair(o.metric().seriesKey(), o.metric()), Named.as(name + "-metrics"));
        KStream<String, Finding> findings = judged
                .filter((k, o) -> o.finding() != null, Named.as(name + "-judged"))
                .map((k, o) -> KeyValue.pair(o.finding().fingerprint(), o.finding()), Named.as(name + "-findings"));
        return new Detector.Outputs(findings, metrics, null);
    }
}
