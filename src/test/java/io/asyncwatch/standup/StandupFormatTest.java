package io.asyncwatch.standup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.StandupStatus;
import io.asyncwatch.serde.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary as the seeds draw it in a terminal, as Markdown for chat bots, and as JSON. */
class StandupFormatTest {

    private static final long END = Instant.parse("2026-12-07T08:00:00Z").toEpochMilli();

    static final StandupSummary SEEDS = new StandupSummary(StandupSummary.StandupKind.DAILY, END - 86_400_000L, END,
            StandupStatus.CRITICAL,
            new StandupSummary.ClockSkewAnswer(StandupStatus.WARNING, 47.0, "users-2", 187.0, "users-2",
                    "users-cluster", StandupSummary.SkewTrend.WORSENING, 6),
            new StandupSummary.RetryLoopsAnswer(StandupStatus.WARNING, 1_247, 1_180, 0.9463, 40, 90_000, 2,
                    List.of("svc-order", "api-gateway")),
            new StandupSummary.ConcurrentWritesAnswer(StandupStatus.CRITICAL, 17, 17, 0,
                    List.of("User[42] (9)", "Order[1337] (8)"), "Manual needed"),
            new StandupSummary.CausalityAnswer(StandupStatus.OK, 0, List.of()),
            new StandupSummary.AlertsAnswer(3, Map.of("PAGE", 1, "ALERT", 2), Map.of("RETRY_STORM", 2,
                    "CONCURRENT_WRITE", 1), List.of("PAGE CONCURRENT_WRITE{entity=\"User[42]\"}",
                    "ALERT RETRY_STORM{service=\"api-gateway\"}", "ALERT RETRY_STORM{service=\"svc-order\"}")),
            0, 0, "If any box shows ⚠ or 🚨, fix it TODAY: clock skew, timeout-retry loops, concurrent writes.");

    @Test
    void theTerminalShowsTheSeedsThreeBoxes() {
        String text = StandupFormat.format(SEEDS, StandupFormat.Style.TEXT);
        assertTrue(text.startsWith("MORNING ASYNC HEALTH CHECK   daily, 2026-12-06 08:00 → 2026-12-07 08:00 UTC\n"),
                text);
        for (String line : List.of("1. \"What's our maximum clock skew?\"", "│ Current: 47ms (users-2)",
                "│ 24h Max: 187ms ⚠ (users-2)", "│ Trend:   ↗ WORSENING",
                "2. \"How many timeout-retry loops yesterday?\"", "│ Total:      1,247",
                "│ Successful: 1,180 (94.6%)", "│ Storms:     2 events ⚠ (svc-order, api-gateway)",
                "3. \"Any concurrent writes to same entity?\"", "│ Conflicts:   17 🚨", "│ Entities:    User[42] (9)",
                "│              Order[1337] (8)", "│ Resolution:  Manual needed", "│ Violations: 0 ",
                "Alerts fired: 3 episodes (1 PAGE, 2 ALERT)", "  PAGE CONCURRENT_WRITE{entity=\"User[42]\"}",
                "If any box shows ⚠ or 🚨, fix it TODAY: clock skew, timeout-retry loops, concurrent writes.")) {
            assertTrue(text.contains(line), () -> "missing '" + line + "' in\n" + text);
        }
    }

    @Test
    void everyLineOfABoxIsAsWideAsItsBorderInTerminalColumns() {
        String text = StandupFormat.format(SEEDS, StandupFormat.Style.TEXT);
        int width = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("   ┌")) {
                width = StandupFormat.columns(line);
            } else if (line.startsWith("   │") || line.startsWith("   └")) {
                assertEquals(width, StandupFormat.columns(line), () -> "misaligned: '" + line + "'");
            }
        }
        assertTrue(width > 0);
        assertEquals(2, StandupFormat.columns("🚨"), "a wide emoji takes two columns");
        assertEquals(1, StandupFormat.columns("⚠"));
    }

    @Test
    void markdownIsATableWithAStatusPerQuestion() {
        String md = StandupFormat.format(SEEDS, StandupFormat.Style.MARKDOWN);
        assertTrue(md.startsWith("**Morning async health check** — daily, 2026-12-06 08:00 → 2026-12-07 08:00 UTC — 🚨"
                + " CRITICAL"), md);
        assertTrue(md.contains("| Question | Answer | Status |"), md);
        assertTrue(md.contains("| What's our maximum clock skew? | current 47ms (users-2), 24h max 187ms (users-2,"
                + " users-cluster), trend ↗ WORSENING | ⚠ |"), md);
        assertTrue(md.contains("| Any concurrent writes to the same entity? | 17 conflicts (17 concurrent vector"
                + " clocks, 0 possible) on User[42] (9), Order[1337] (8); resolution: Manual needed | 🚨 |"), md);
        assertTrue(md.contains("| Daily violation count (target 0) | 0 | OK |"), md);
        assertTrue(md.contains("- `PAGE CONCURRENT_WRITE{entity=\"User[42]\"}`"), md);
    }

    @Test
    void jsonIsTheSummaryAsPublished() throws Exception {
        String json = StandupFormat.format(SEEDS, StandupFormat.Style.JSON);
        assertEquals(SEEDS, Json.MAPPER.readValue(json, StandupSummary.class));
    }

    @Test
    void noDataSaysSoInsteadOfZeros() {
        StandupSummary empty = new StandupSummary(StandupSummary.StandupKind.ROLLING, END - 3_600_000L, END,
                StandupStatus.NO_DATA,
                new StandupSummary.ClockSkewAnswer(StandupStatus.NO_DATA, null, null, null, null, null,
                        StandupSummary.SkewTrend.UNKNOWN, 0),
                new StandupSummary.RetryLoopsAnswer(StandupStatus.NO_DATA, 0, 0, null, 0, 0, 0, List.of()),
                new StandupSummary.ConcurrentWritesAnswer(StandupStatus.NO_DATA, 0, 0, 0, List.of(), null),
                new StandupSummary.CausalityAnswer(StandupStatus.NO_DATA, 0, List.of()),
                new StandupSummary.AlertsAnswer(0, Map.of(), Map.of(), List.of()), 0, 0, "No detector published");
        String text = StandupFormat.format(empty, StandupFormat.Style.TEXT);
        assertTrue(text.contains("│ No clock readings in the period"), text);
        assertTrue(text.contains("│ No requests in the period"), text);
        assertTrue(text.contains("Not measured (concurrent-write detector off)"), text);
        assertTrue(text.contains("Alerts fired: none"), text);
    }
}
