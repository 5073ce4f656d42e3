package io.asyncwatch.demo;

import io.asyncwatch.model.Alert;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One line per alert for a terminal, for example
 * <pre>2026-01-01 01:03 UTC  PAGE   FIRING    RETRY_STORM service=svc-order  Retry storm on ...  [id 1a2b3c4d]</pre>
 * The time is the end of the evidence window (event time); severity and status are padded so that a column of
 * alerts lines up. The subject shows its identifying labels ({@code layer} is left out when a service is named:
 * the summary says it).
 */
public final class AlertLine {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final List<String> LABEL_ORDER = List.of("service", "cluster", "node", "entity");

    private AlertLine() {
    }

    public static String format(Alert a) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(a.windowEnd() > 0 ? TIME.format(Instant.ofEpochMilli(a.windowEnd())) + " UTC" : "????-??-?? ??:?? UTC");
        sb.append("  ").append(pad(a.severity() == null ? "?" : a.severity().name(), 5));
        sb.append("  ").append(pad(a.status() == null ? "?" : a.status().name(), 8));
        sb.append("  ").append(a.type() == null ? "?" : a.type().name());
        String subject = subject(a.subject());
        if (!subject.isEmpty()) {
            sb.append(' ').append(subject);
        }
        if (a.summary() != null && !a.summary().isBlank()) {
            sb.append("  ").append(withoutRepeatedHead(a, oneLine(a.summary())));
        }
        if (a.alertId() != null && !a.alertId().isEmpty()) {
            sb.append("  [id ").append(a.alertId(), 0, Math.min(8, a.alertId().length())).append(']');
        }
        return sb.toString();
    }

    private static String subject(Map<String, String> subject) {
        if (subject == null || subject.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String key : LABEL_ORDER) {
            if (subject.get(key) != null) {
                parts.add(key + "=" + subject.get(key));
            }
        }
        subject.entrySet().stream()
                .filter(e -> !LABEL_ORDER.contains(e.getKey()) && e.getValue() != null)
                .filter(e -> !(e.getKey().equals("layer") && subject.containsKey("service")))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> parts.add(e.getKey() + "=" + e.getValue()));
        return String.join(" ", parts);
    }

    /** "RESOLVED RETRY_STORM layer=service service=svc-order: clear for 3 ..." -> "clear for 3 ...": the line says it. */
    private static String withoutRepeatedHead(Alert a, String summary) {
        if (a.status() != null && a.type() != null) {
            String head = a.status().name() + " " + a.type().name() + " ";
            int colon = summary.indexOf(": ");
            if (summary.startsWith(head) && colon > 0 && colon + 2 < summary.length()) {
                return summary.substring(colon + 2);
            }
        }
        return summary;
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
