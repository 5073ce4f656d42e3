package io.asyncwatch.alert;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Bin;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * What a detector says about one subject: the condition holds at {@code severity}, or, with
 * {@code severity == null}, it is clear (windowed detectors say so for every window they judge). Detectors emit
 * findings; only the alert stage turns them into alerts.
 *
 * @param fingerprint stable identity of the subject, see {@link #fingerprint(AlertType, Map)}
 * @param windowEnd   event time the finding speaks for
 * @param source      the detector task that judged it ({@code retry-storm:3}): the alert stage measures silence
 *                    on that task's clock, which its findings and ticks arrive in order with
 */
public record Finding(
        String fingerprint,
        AlertType type,
        Severity severity,
        Map<String, String> subject,
        String summary,
        double value,
        double threshold,
        long windowStart,
        long windowEnd,
        List<String> evidence,
        String source) {

    private static final int VERSION = 1;

    public static final Serde<Finding> SERDE = Bin.serde(Finding::toBytes, Finding::fromBytes);

    public boolean isClear() {
        return severity == null;
    }

    /**
     * A tick says "the clock of task {@code source} for {@code type} has reached {@code time}" and is sent to every
     * partition of the alert stage: silence is noticed even where no finding of that task arrives.
     */
    public static Finding tick(AlertType type, String source, long time) {
        return new Finding("", type, null, Map.of(), "", 0, 0, time, time, List.of(), source);
    }

    public boolean isTick() {
        return fingerprint.isEmpty();
    }

    /** {@code RETRY_STORM{service="svc-order"}}: the type and the identifying labels, sorted by name. */
    public static String fingerprint(AlertType type, Map<String, String> identity) {
        StringBuilder sb = new StringBuilder(type.name()).append('{');
        identity.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (sb.charAt(sb.length() - 1) != '{') {
                sb.append(',');
            }
            sb.append(e.getKey()).append("=\"").append(e.getValue().replace("\"", "\\\"")).append('"');
        });
        return sb.append('}').toString();
    }

    public byte[] toBytes() {
        return Bin.writer().u8(VERSION).str(fingerprint).u8(type.ordinal())
                .u8(severity == null ? 255 : severity.ordinal()).stringMap(new TreeMap<>(subject)).str(summary)
                .f64(value).f64(threshold).varlong(windowStart).varlong(windowEnd).strings(evidence).str(source)
                .bytes();
    }

    public static Finding fromBytes(byte[] bytes) {
        Bin.Reader r = Bin.versioned(bytes, VERSION, "finding");
        String fingerprint = r.str();
        AlertType type = AlertType.values()[r.u8()];
        int sev = r.u8();
        return new Finding(fingerprint, type, sev == 255 ? null : Severity.values()[sev], r.stringMap(), r.str(),
                r.f64(), r.f64(), r.varlong(), r.varlong(), r.strings(), r.str());
    }
}
