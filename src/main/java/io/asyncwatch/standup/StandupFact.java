package io.asyncwatch.standup;

import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Bin;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * What crosses the broker to the standup stage: a detector's metric point, an alert the alert stage emitted, or a
 * clock tick of the upstream task {@code source} (the stage publishes a period only once every upstream clock has
 * passed it). Internal, compact; the public summary is {@link io.asyncwatch.model.StandupSummary}.
 *
 * @param time a tick's clock; a metric's window start; an alert's time on the clock of the detector task it is about
 */
public record StandupFact(Kind kind, String source, long time, Metric metric, AlertFact alert) {

    public enum Kind { TICK, METRIC, ALERT }

    /** The part of an alert the standup counts. */
    public record AlertFact(String fingerprint, AlertType type, Severity severity, AlertStatus status) {
    }

    private static final int VERSION = 1;

    public static final Serde<StandupFact> SERDE = Bin.serde(StandupFact::toBytes, StandupFact::fromBytes);

    public static StandupFact tick(String source, long time) {
        return new StandupFact(Kind.TICK, source, time, null, null);
    }

    public static StandupFact metric(Metric m) {
        return new StandupFact(Kind.METRIC, "", m.windowStart(), m, null);
    }

    public static StandupFact alert(AlertFact a, long time) {
        return new StandupFact(Kind.ALERT, "", time, null, a);
    }

    public boolean isTick() {
        return kind == Kind.TICK;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).u8(kind.ordinal()).str(source).varlong(time);
        switch (kind) {
            case METRIC -> {
                w.str(metric.metric()).stringMap(metric.labels()).varlong(metric.windowStart())
                        .varlong(metric.windowEnd()).doubleMap(metric.values()).stringMap(metric.attributes());
            }
            case ALERT -> w.str(alert.fingerprint()).str(alert.type().name()).str(alert.severity().name())
                    .str(alert.status().name());
            case TICK -> {
            }
        }
        return w.bytes();
    }

    static StandupFact fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "standup fact");
        Kind kind = Kind.values()[r.u8()];
        String source = r.str();
        long time = r.varlong();
        return switch (kind) {
            case TICK -> new StandupFact(kind, source, time, null, null);
            case METRIC -> {
                String name = r.str();
                Map<String, String> labels = r.stringMap();
                long start = r.varlong();
                long end = r.varlong();
                Map<String, Double> values = r.doubleMap();
                yield new StandupFact(kind, source, time, new Metric(name, labels, start, end, values, r.stringMap()),
                        null);
            }
            case ALERT -> new StandupFact(kind, source, time, null, new AlertFact(r.str(),
                    AlertType.valueOf(r.str()), Severity.valueOf(r.str()), AlertStatus.valueOf(r.str())));
        };
    }
}
