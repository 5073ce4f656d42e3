package io.asyncwatch.standup;

import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.SkewTrend;
import io.asyncwatch.model.StandupSummary.StandupStatus;
import io.asyncwatch.serde.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A standup summary for people: the seeds' three boxes in a terminal, Markdown for chat bots, or JSON. */
public final class StandupFormat {

    public enum Style { TEXT, MARKDOWN, JSON }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneOffset.UTC);

    private StandupFormat() {
    }

    public static String format(StandupSummary s, Style style) {
        return switch (style) {
            case TEXT -> text(s);
            case MARKDOWN -> markdown(s);
            case JSON -> Json.writeString(s) + "\n";
        };
    }

    /** ⚠ and 🚨 as the seeds draw them; OK and no data in words. */
    static String mark(StandupStatus status) {
        return switch (status) {
            case OK -> "OK";
            case WARNING -> "⚠";
            case CRITICAL -> "🚨";
            case NO_DATA -> "no data";
        };
    }

    static String trend(SkewTrend t) {
        return switch (t) {
            case WORSENING -> "↗ WORSENING";
            case STEADY -> "→ STEADY";
            case IMPROVING -> "↘ IMPROVING";
            case UNKNOWN -> "? (too few readings)";
        };
    }

    static String text(StandupSummary s) {
        StringBuilder b = new StringBuilder();
        String title = "MORNING ASYNC HEALTH CHECK";
        b.append(title).append("   ").append(period(s)).append('\n');
        b.append("═".repeat(title.length())).append("\n\n");
        String span = span(s);

        b.append("1. \"What's our maximum clock skew?\"\n");
        StandupSummary.ClockSkewAnswer k = s.clockSkew();
        List<String> skew = new ArrayList<>();
        if (k.maxMs() == null) {
            skew.add("No clock readings in the period");
        } else {
            skew.add("Current: " + ms(k.currentMs()) + " (" + k.currentNode() + ")");
            skew.add(pad(span + " Max:", 9) + ms(k.maxMs()) + flag(k.status()) + " (" + k.maxNode() + ")");
            skew.add("Trend:   " + trend(k.trend()));
        }
        box(b, skew);

        b.append("2. \"How many timeout-retry loops").append(isDaily24h(s) ? " yesterday" : "").append("?\"\n");
        StandupSummary.RetryLoopsAnswer r = s.retryLoops();
        List<String> loops = new ArrayList<>();
        if (r.status() == StandupStatus.NO_DATA) {
            loops.add("No requests in the period (or the retry-storm detector is off)");
        } else {
            loops.add("Total:      " + n(r.total()));
            loops.add("Successful: " + n(r.successful()) + (r.successShare() == null ? ""
                    : String.format(Locale.ROOT, " (%.1f%%)", 100 * r.successShare())));
            loops.add("Timed out:  " + n(r.timedOut()) + " again");
            loops.add("Storms:     " + r.storms() + (r.storms() == 1 ? " event" : " events") + flag(r.status())
                    + (r.stormServices().isEmpty() ? "" : " (" + String.join(", ", r.stormServices()) + ")"));
        }
        box(b, loops);

        b.append("3. \"Any concurrent writes to same entity?\"\n");
        StandupSummary.ConcurrentWritesAnswer w = s.concurrentWrites();
        List<String> writes = new ArrayList<>();
        if (w.status() == StandupStatus.NO_DATA) {
            writes.add("Not measured (concurrent-write detector off)");
        } else {
            writes.add("Conflicts:   " + n(w.conflicts()) + flag(w.status()) + (w.possibleConflicts() > 0
                    ? " (" + n(w.possibleConflicts()) + " possible, same second)" : ""));
            for (int i = 0; i < w.entities().size(); i++) {
                writes.add((i == 0 ? "Entities:    " : "             ") + w.entities().get(i));
            }
            writes.add("Resolution:  " + (w.resolution() == null ? "none needed" : w.resolution()));
        }
        box(b, writes);

        b.append("Daily violation count (target: 0)\n");
        StandupSummary.CausalityAnswer c = s.causality();
        List<String> causality = new ArrayList<>();
        if (c.status() == StandupStatus.NO_DATA) {
            causality.add("Not measured (causality detector off)");
        } else {
            causality.add("Violations: " + n(c.violations()) + flag(c.status()));
            for (int i = 0; i < c.nodes().size(); i++) {
                causality.add((i == 0 ? "Nodes:      " : "            ") + c.nodes().get(i));
            }
        }
        box(b, causality);

        b.append(alertsLine(s)).append('\n');
        s.alerts().fingerprints().forEach(f -> b.append("  ").append(f).append('\n'));
        if (s.lateFacts() > 0) {
            b.append(s.lateFacts()).append(" detector points arrived after an earlier summary was published\n");
        }
        b.append('\n').append(s.advice()).append('\n');
        return b.toString();
    }

    static String markdown(StandupSummary s) {
        StringBuilder b = new StringBuilder();
        b.append("**Morning async health check** — ").append(period(s)).append(" — ").append(mark(s.status()))
                .append(s.status() == StandupStatus.OK || s.status() == StandupStatus.NO_DATA ? ""
                        : " " + s.status().name()).append("\n\n");
        b.append("| Question | Answer | Status |\n|---|---|---|\n");
        StandupSummary.ClockSkewAnswer k = s.clockSkew();
        row(b, "What's our maximum clock skew?", k.maxMs() == null ? "no clock readings"
                : "current " + ms(k.currentMs()) + " (" + k.currentNode() + "), " + span(s) + " max " + ms(k.maxMs())
                + " (" + k.maxNode() + ", " + k.maxCluster() + "), trend " + trend(k.trend()), k.status());
        StandupSummary.RetryLoopsAnswer r = s.retryLoops();
        row(b, "How many timeout-retry loops?", r.status() == StandupStatus.NO_DATA ? "no requests"
                : n(r.total()) + " retries, " + n(r.successful()) + " successful" + (r.successShare() == null ? ""
                : String.format(Locale.ROOT, " (%.1f%%)", 100 * r.successShare())) + ", " + n(r.timedOut())
                + " timed out again; " + r.storms() + " storm" + (r.storms() == 1 ? "" : "s")
                + (r.stormServices().isEmpty() ? "" : " (" + String.join(", ", r.stormServices()) + ")"), r.status());
        StandupSummary.ConcurrentWritesAnswer w = s.concurrentWrites();
        row(b, "Any concurrent writes to the same entity?", w.status() == StandupStatus.NO_DATA ? "not measured"
                : n(w.conflicts()) + " conflicts (" + n(w.vectorConflicts()) + " concurrent vector clocks, "
                + n(w.possibleConflicts()) + " possible)" + (w.entities().isEmpty() ? ""
                : " on " + String.join(", ", w.entities())) + (w.resolution() == null ? ""
                : "; resolution: " + w.resolution()), w.status());
        StandupSummary.CausalityAnswer c = s.causality();
        row(b, "Daily violation count (target 0)", c.status() == StandupStatus.NO_DATA ? "not measured"
                : n(c.violations()) + (c.nodes().isEmpty() ? "" : " on " + String.join(", ", c.nodes())),
                c.status());
        b.append('\n').append(alertsLine(s)).append('\n');
        s.alerts().fingerprints().forEach(f -> b.append("- `").append(f).append("`\n"));
        b.append('\n').append(s.advice()).append('\n');
        return b.toString();
    }

    private static void row(StringBuilder b, String question, String answer, StandupStatus status) {
        b.append("| ").append(question).append(" | ").append(answer.replace("|", "\\|")).append(" | ")
                .append(mark(status)).append(" |\n");
    }

    private static String alertsLine(StandupSummary s) {
        StandupSummary.AlertsAnswer a = s.alerts();
        if (a.fired() == 0) {
            return "Alerts fired: none";
        }
        String severities = a.bySeverity().entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByKey().reversed())
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
        return "Alerts fired: " + a.fired() + (a.fired() == 1 ? " episode" : " episodes") + " (" + severities + ")";
    }

    private static String period(StandupSummary s) {
        return s.kind().name().toLowerCase(Locale.ROOT) + ", " + TIME.format(Instant.ofEpochMilli(s.periodStart()))
                + " → " + TIME.format(Instant.ofEpochMilli(s.periodEnd())) + " UTC";
    }

    /** "24h", "1h", "90m": the period as the seeds' "24h Max" says it. */
    private static String span(StandupSummary s) {
        long minutes = (s.periodEnd() - s.periodStart()) / 60_000;
        return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
    }

    private static boolean isDaily24h(StandupSummary s) {
        return s.kind() == StandupSummary.StandupKind.DAILY && s.periodEnd() - s.periodStart() == 86_400_000L;
    }

    private static String flag(StandupStatus status) {
        return status == StandupStatus.WARNING || status == StandupStatus.CRITICAL ? " " + mark(status) : "";
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.0fms", v);
    }

    private static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    /** A box around {@code lines}, as wide as its widest line (🚨 takes two terminal columns). */
    private static void box(StringBuilder b, List<String> lines) {
        int width = lines.stream().mapToInt(StandupFormat::columns).max().orElse(0) + 2;
        b.append("   ┌").append("─".repeat(width)).append("┐\n");
        for (String line : lines) {
            b.append("   │ ").append(line).append(" ".repeat(width - 1 - columns(line))).append("│\n");
        }
        b.append("   └").append("─".repeat(width)).append("┘\n\n");
    }

    static int columns(String s) {
        int cols = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            cols += cp >= 0x1F000 ? 2 : 1;
            i += Character.charCount(cp);
        }
        return cols;
    }
}
