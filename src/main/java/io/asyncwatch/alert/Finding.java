package io.asyncwatch.alert;

import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import java.util.List;
import java.util.Map;

/**
 * What a detector says about one subject for one window: the condition holds at {@code severity}, or, with
 * {@code severity == null}, it is clear. Detectors emit findings; only the alert stage turns them into alerts.
 *
 * @param fingerprint stable identity of the subject, see {@link #fingerprint(AlertType, Map)}
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
        List<String> evidence) {

    public boolean isClear() {
        return severity == null;
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
}
