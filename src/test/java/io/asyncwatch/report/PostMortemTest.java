package io.asyncwatch.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The post-mortem page of a golden incident: every alert, a chart for every detector that fired, nothing remote. */
class PostMortemTest {

    private static final Path INCIDENT = Path.of("src/test/resources/incidents/death-spiral");
    private static final AsyncwatchConfig CONFIG = AsyncwatchConfig.fromMap(Map.of());
    private static PostMortem.Replay replay;
    private static String html;

    @BeforeAll
    static void render() throws IOException {
        try (BufferedReader in = Files.newBufferedReader(INCIDENT.resolve("input.jsonl"), StandardCharsets.UTF_8)) {
            replay = PostMortem.replay(CONFIG, "death-spiral", in);
        }
        html = PostMortem.html(CONFIG, replay);
    }

    private static List<Alert> expected() throws IOException {
        return Files.readAllLines(INCIDENT.resolve("expected-alerts.jsonl")).stream().filter(l -> !l.isBlank())
                .map(l -> {
                    try {
                        return Json.MAPPER.readValue(l, Alert.class);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }).toList();
    }

    @Test
    void theTimelineHasEveryAlertOfTheIncidentWithItsEvidenceAndPlaybook() throws IOException {
        List<Alert> expected = expected();
        assertEquals(expected, replay.alerts(), "the report replays through the same path as replay");
        int rows = html.split("<tr class=\"", -1).length - 1;
        assertEquals(expected.size(), rows);
        for (Alert a : expected) {
            assertTrue(html.contains(PostMortem.esc(a.summary())), "summary of " + a.alertId());
            assertTrue(html.contains(a.alertId()), a.alertId());
            a.playbook().forEach(step -> assertTrue(html.contains("<li>" + PostMortem.esc(step) + "</li>"), step));
        }
        assertTrue(html.contains("<h2>Standup summary of the span</h2>") && html.contains("MORNING ASYNC HEALTH CHECK"));
    }

    @Test
    void everyDetectorThatFiredHasAChartWithPointsAroundItsAlerts() throws IOException {
        Set<String> fired = new TreeSet<>();
        expected().forEach(a -> fired.add(a.type().name()));
        assertTrue(fired.size() >= 3, fired.toString());
        JsonNode charts = Json.MAPPER.readTree(chartsJson());
        Matcher sections = Pattern.compile("<section class=\"chart-section\" id=\"chart-([a-z-]+)\" data-types=\"([A-Z_ ]+)\"")
                .matcher(html);
        Set<String> explained = new TreeSet<>();
        while (sections.find()) {
            String id = sections.group(1);
            assertTrue(charts.has(id), "an option for " + id);
            for (String t : sections.group(2).split(" ")) {
                if (fired.contains(t)) {
                    explained.add(t);
                    boolean points = false;
                    for (JsonNode s : charts.get(id).get("series")) {
                        points |= s.get("data").size() > 0;
                    }
                    assertTrue(points, id + " has points for " + t);
                }
            }
        }
        assertEquals(fired, explained, "one chart per detector that fired");
        JsonNode radar = charts.get("retry-storm");
        assertEquals(2, radar.get("series").get(0).get("markLine").get("data").size(), "the 2x and 5x lines");
        assertTrue(radar.get("series").get(0).get("markArea").get("data").size() > 0, "the storm episodes shaded");
        long firstAlert = expected().stream().filter(a -> a.type() == AlertType.RETRY_STORM)
                .mapToLong(Alert::windowStart).min().orElseThrow();
        assertEquals(firstAlert - 15 * 60_000L, radar.get("xAxis").get("min").asLong(), "around the alerts' windows");
    }

    @Test
    void thePageAsksNothingOfTheNetwork() {
        for (String remote : List.of("<script src", "<link", "src=\"http", "href=\"http", "url(http", "url('http",
                "@import", "src='http", "href='http")) {
            assertFalse(html.contains(remote), remote);
        }
        Matcher hrefs = Pattern.compile("href=\"([^\"]*)\"").matcher(html);
        while (hrefs.find()) {
            assertTrue(hrefs.group(1).startsWith("#"), "only links within the page: " + hrefs.group(1));
        }
        assertTrue(html.contains(".version=\"5.3.1\""), "the ECharts bundle is inlined");
        assertTrue(html.contains("Apache ECharts 5.3.1 (Apache License 2.0)"), "with its licence");
    }

    @Test
    void theSameRecordingGivesTheSamePage() throws IOException {
        try (BufferedReader in = Files.newBufferedReader(INCIDENT.resolve("input.jsonl"), StandardCharsets.UTF_8)) {
            assertEquals(html, PostMortem.html(CONFIG, PostMortem.replay(CONFIG, "death-spiral", in)));
        }
    }

    @Test
    void aChartIsDrawnAroundItsAlertsWithThresholdsAndEpisodes() {
        long t0 = 1_700_000_000_000L;
        List<Metric> points = new java.util.ArrayList<>();
        for (int m = 0; m < 120; m++) {
            points.add(new Metric("retry_multiplier", Map.of("service", "svc-a"), t0 + m * 60_000L,
                    t0 + (m + 1) * 60_000L, Map.of("multiplier", m == 60 ? 7.0 : 1.0), Map.of()));
        }
        Alert fire = new Alert("a1", "RETRY_STORM{service=\"svc-a\"}", AlertType.RETRY_STORM, Severity.PAGE,
                AlertStatus.FIRING, Map.of("service", "svc-a"), "storm", 7, 5, t0 + 60 * 60_000L, t0 + 61 * 60_000L,
                List.of(), List.of());
        Alert resolved = new Alert("a2", fire.fingerprint(), AlertType.RETRY_STORM, Severity.PAGE,
                AlertStatus.RESOLVED, Map.of("service", "svc-a"), "over", 7, 5, t0 + 60 * 60_000L,
                t0 + 64 * 60_000L, List.of(), List.of());
        Charts.Chart radar = new Charts(CONFIG, points, List.of(fire, resolved)).all().get(0);
        assertEquals("retry-storm", radar.id());
        JsonNode o = radar.option();
        assertEquals(t0 + 45 * 60_000L, o.get("xAxis").get("min").asLong());
        assertEquals(t0 + 79 * 60_000L, o.get("xAxis").get("max").asLong());
        assertEquals(36, o.get("series").get(0).get("data").size(), "the points of minutes 44 to 79, no others");
        JsonNode lines = o.get("series").get(0).get("markLine").get("data");
        assertEquals(2.0, lines.get(0).get("yAxis").asDouble());
        assertEquals(5.0, lines.get(1).get("yAxis").asDouble());
        JsonNode episode = o.get("series").get(0).get("markArea").get("data").get(0);
        assertEquals(t0 + 60 * 60_000L, episode.get(0).get("xAxis").asLong());
        assertEquals(t0 + 64 * 60_000L, episode.get(1).get("xAxis").asLong(), "from FIRING to RESOLVED");
        assertEquals(Optional.empty(), new Charts(CONFIG, List.of(), List.of()).all().stream().findAny(),
                "no points and no alerts: no charts");
    }

    private static String chartsJson() {
        return chartsJson(html);
    }

    private static String chartsJson(String page) {
        int start = page.indexOf("const CHARTS = ") + "const CHARTS = ".length();
        int end = page.indexOf(";\nfor (const [id, option]", start);
        return page.substring(start, end);
    }

    @Test
    void hostileNamesCannotEndOrConfuseTheScriptThatDrawsTheCharts() throws IOException {
        String evil = "svc-<!--<script>alert(1)</script>&";
        List<Metric> points = List.of(new Metric("retry_multiplier", Map.of("service", evil), 1_700_000_000_000L,
                1_700_000_060_000L, Map.of("multiplier", 3.0), Map.of()));
        Alert a = new Alert("x1", "RETRY_STORM{service=\"" + evil + "\"}", AlertType.RETRY_STORM, Severity.WARN,
                AlertStatus.FIRING, Map.of("service", evil), "storm on " + evil, 3, 2, 1_700_000_000_000L,
                1_700_000_060_000L, List.of("evidence " + evil), List.of("step"));
        PostMortem.Replay r = new PostMortem.Replay(evil, replay.summary(), List.of(a), points, Optional.empty());
        String page = PostMortem.html(CONFIG, r);
        String data = chartsJson(page);
        assertFalse(data.contains("<") || data.contains(">") || data.contains("&"), "escaped in the script's JSON");
        assertEquals(evil, Json.MAPPER.readTree(data).get("retry-storm").get("series").get(0).get("name").asText(),
                "and still the same name for the chart");
        int scripts = page.split("<script>", -1).length - 1;
        assertEquals(2, scripts, "the bundle and the charts, no other script element");
        assertFalse(page.contains("<!--<script>"), "escaped in the page's text");
    }
}
