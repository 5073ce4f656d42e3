package io.asyncwatch.alertmanager;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * asyncwatch's alerts as Alertmanager's v2 API wants them, and which of them are still firing: pure, no HTTP. An
 * episode is one Alertmanager alert (its label set: {@code alertname} = the type, the subject's labels,
 * {@code severity}), sent again while it fires so Alertmanager keeps it, with {@code endsAt} from the episode once it is
 * RESOLVED. A rise in severity resolves the label set of the lower one, so one episode is never two firing alerts.
 */
final class AmAlerts {

    private static final Logger LOG = LoggerFactory.getLogger(AmAlerts.class);

    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final java.util.Set<String> RESERVED = java.util.Set.of("alertname", "severity", "source");

    private final int maxAlerts;
    private final String dashboardUrl;
    /** Firing episodes by fingerprint, the oldest first. */
    private final LinkedHashMap<String, ObjectNode> firing = new LinkedHashMap<>();
    private long dropped;

    AmAlerts(int maxAlerts, String dashboardUrl) {
        this.maxAlerts = maxAlerts;
        this.dashboardUrl = dashboardUrl;
    }

    /**
     * Takes one alert; returns what to send now (its Alertmanager alert, and the lower one it replaces). Times are
     * kept within the wall clock: a monitored clock running ahead must not start an alert in the future, nor end one
     * after it.
     *
     * @param now        the wall clock
     * @param validUntil when a firing alert expires at Alertmanager unless sent again
     */
    List<ObjectNode> apply(Alert a, long now, long validUntil) {
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode before = firing.remove(a.fingerprint());
        ObjectNode current = message(a, before, now);
        if (before != null && !before.get("labels").equals(current.get("labels"))) {
            out.add(ended(before.deepCopy(), a.windowStart(), now));
        }
        if (a.status() == AlertStatus.FIRING) {
            firing.put(a.fingerprint(), current);
            while (firing.size() > maxAlerts) {
                Iterator<String> oldest = firing.keySet().iterator();
                String forgotten = oldest.next();
                oldest.remove();
                dropped++;
                LOG.warn("alertmanager: more than {} episodes firing at once (asyncwatch.alertmanager.max-alerts):"
                        + " {} is no longer re-sent and will expire at Alertmanager although it still fires; see the"
                        + " alerts topic or the dashboard", maxAlerts, forgotten);
            }
            out.add(current.deepCopy().put("endsAt", time(validUntil)));
        } else {
            out.add(ended(current, a.windowEnd(), now));
        }
        return out;
    }

    private static ObjectNode ended(ObjectNode m, long endsAt, long now) {
        long starts = Instant.parse(m.get("startsAt").asText()).toEpochMilli();
        return m.put("endsAt", time(Math.max(starts, Math.min(endsAt, now))));
    }

    /** Which alert at Alertmanager a message is about: its label set. */
    static String key(ObjectNode m) {
        return m.get("labels").toString();
    }

    /** Every firing episode, to send again. */
    List<ObjectNode> resend(long validUntil) {
        List<ObjectNode> out = new ArrayList<>();
        firing.values().forEach(m -> out.add(m.deepCopy().put("endsAt", time(validUntil))));
        return out;
    }

    int firingCount() {
        return firing.size();
    }

    /** Episodes forgotten because more than {@code max-alerts} fired at once (they expire at Alertmanager). */
    long dropped() {
        return dropped;
    }

    private ObjectNode message(Alert a, ObjectNode before, long now) {
        ObjectNode m = J.objectNode();
        ObjectNode labels = m.putObject("labels");
        Map<String, String> l = new TreeMap<>();
        a.subject().forEach((k, v) -> l.put(labelName(k), v));
        l.put("alertname", a.type().name());
        l.put("severity", a.severity().name().toLowerCase(java.util.Locale.ROOT));
        l.put("source", "asyncwatch");
        l.forEach(labels::put);
        ObjectNode ann = m.putObject("annotations");
        ann.put("summary", a.summary());
        ann.put("fingerprint", a.fingerprint());
        ann.put("alertId", a.alertId());
        if (!a.evidence().isEmpty()) {
            ann.put("evidence", String.join("\n", a.evidence()));
        }
        if (!a.playbook().isEmpty()) {
            StringBuilder steps = new StringBuilder();
            for (int i = 0; i < a.playbook().size(); i++) {
                steps.append(i == 0 ? "" : "\n").append(i + 1).append(". ").append(a.playbook().get(i));
            }
            ann.put("playbook", steps.toString());
        }
        // The episode started with its first FIRING alert: a re-announcement or an escalation keeps that start.
        String startsAt = before != null ? before.get("startsAt").asText() : time(Math.min(a.windowStart(), now));
        m.put("startsAt", startsAt);
        if (!dashboardUrl.isEmpty()) {
            m.put("generatorURL", dashboardUrl);
        }
        return m;
    }

    /**
     * A subject key as a label name Alertmanager accepts ({@code [a-zA-Z_][a-zA-Z0-9_]*}); one that would overwrite
     * asyncwatch's own labels is prefixed.
     */
    static String labelName(String key) {
        String n = key.replaceAll("[^a-zA-Z0-9_]", "_");
        if (n.isEmpty() || Character.isDigit(n.charAt(0))) {
            n = "_" + n;
        }
        return RESERVED.contains(n) ? "subject_" + n : n;
    }

    static ArrayNode body(List<ObjectNode> messages) {
        ArrayNode a = J.arrayNode();
        messages.forEach(a::add);
        return a;
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
