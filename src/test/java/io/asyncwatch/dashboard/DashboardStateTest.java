package io.asyncwatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.Severity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's model: bounded whatever it reads, episodes as people think of them, and what the page gets. */
class DashboardStateTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final AsyncwatchConfig CONFIG = AsyncwatchConfig.fromMap(Map.of(
            "asyncwatch.dashboard.max-series", "3", "asyncwatch.dashboard.max-points", "4",
            "asyncwatch.dashboard.max-alerts", "2"));
    private static final DashboardSettings S = CONFIG.settings(DashboardSettings.SPEC);

    static Metric multiplier(String service, int minute, double value) {
        return new Metric("retry_multiplier", Map.of("service", service, "layer", "service"), T0 + minute * 60_000L,
                T0 + (minute + 1) * 60_000L, Map.of("multiplier", value, "retryShare", 0.02 * value), Map.of());
    }

    static Alert alert(String service, Severity severity, AlertStatus status, int minute) {
        return new Alert("id-" + service + minute + status, "RETRY_STORM{service=\"" + service + "\"}",
                AlertType.RETRY_STORM, severity, status, Map.of("service", service), "storm on " + service,
                6, 5, T0 + minute * 60_000L, T0 + (minute + 1) * 60_000L, List.of("e-1"), List.of("Check the callee"));
    }

    @Test
    void aDayOfPointsHoldsNoMoreThanItsBounds() {
        DashboardState state = new DashboardState(S);
        for (int minute = 0; minute < 1_440; minute++) {
            for (int s = 0; s < 3; s++) {
                state.add(multiplier("svc-" + s, minute, 1.0));
            }
        }
        DashboardState.Snapshot snap = state.snapshot();
        assertEquals(12, snap.metrics().size(), "max-points (4) per series");
        assertTrue(snap.metrics().stream().allMatch(m -> m.windowStart() >= T0 + 1_436 * 60_000L), "the newest kept");
        assertEquals(4_320, snap.records());
        for (int s = 3; s < 10; s++) {
            state.add(multiplier("svc-" + s, 1_440, 1.0));
        }
        assertEquals(3, state.seriesCount(), "max-series: the least recently updated go");
        assertTrue(state.snapshot().metrics().stream().allMatch(m -> Integer.parseInt(
                m.labels().get("service").substring(4)) >= 7), "the newest series kept");
    }

    @Test
    void anEpisodeKeepsItsFirstFiringAndResolvedOnesGoFirstWhenFull() {
        DashboardState state = new DashboardState(S);
        state.add(alert("a", Severity.WARN, AlertStatus.FIRING, 1));
        state.add(alert("a", Severity.PAGE, AlertStatus.FIRING, 3));
        state.add(alert("b", Severity.WARN, AlertStatus.FIRING, 4));
        state.add(alert("b", Severity.WARN, AlertStatus.RESOLVED, 8));
        List<DashboardState.Episode> episodes = state.snapshot().episodes();
        DashboardState.Episode a = episodes.stream().filter(e -> e.latest().subject().get("service").equals("a"))
                .findFirst().orElseThrow();
        assertEquals(T0 + 60_000L, a.firstFiring());
        assertEquals(Severity.PAGE, a.latest().severity());
        assertEquals(2, a.alerts());
        state.add(alert("c", Severity.ALERT, AlertStatus.FIRING, 9));
        assertEquals(2, state.episodeCount());
        assertTrue(state.snapshot().episodes().stream().noneMatch(e -> e.latest().subject().get("service")
                .equals("b")), "the resolved one went first");
        state.add(alert("b", Severity.ALERT, AlertStatus.FIRING, 20));
        assertEquals(2, state.episodeCount(), "still bounded: the oldest firing one goes when none is resolved");
        assertEquals(List.of("b", "c"), state.snapshot().episodes().stream().map(e -> e.latest().subject()
                .get("service")).sorted().toList(), "a, firing since minute 1, went");
        state.clear();
        assertEquals(0, state.episodeCount());
        assertEquals(0, state.seriesCount());
    }

    @Test
    void thePageHasEveryPanelTheAlertsFiringFirstAndLinksToThePanels() {
        DashboardState state = new DashboardState(CONFIG.settings(DashboardSettings.SPEC));
        state.add(multiplier("svc-a", 0, 1.0));
        state.add(multiplier("svc-a", 1, 6.0));
        state.add(alert("b", Severity.WARN, AlertStatus.RESOLVED, 0));
        state.add(alert("a", Severity.PAGE, AlertStatus.FIRING, 1));
        state.add(new DeadLetter("asyncwatch.requests", 0, 1L, T0, null, null, null,
                "requests: field 'attempt': wrong type (expected integer)"));
        JsonNode page = Panels.build(CONFIG, state.snapshot());
        List<String> ids = new java.util.ArrayList<>();
        page.get("panels").forEach(p -> ids.add(p.get("id").asText()));
        assertEquals(List.of("clock-skew", "message-flow", "timeouts", "logical-clock", "retry-storm"), ids);
        JsonNode radar = page.get("panels").get(4);
        assertTrue(radar.get("hasData").asBoolean());
        assertFalse(page.get("panels").get(0).get("hasData").asBoolean(), "no clock readings: nothing to show");
        assertEquals("FIRING", page.get("alerts").get(0).get("status").asText(), "firing first");
        assertEquals("retry-storm", page.get("alerts").get(0).get("panel").asText());
        assertEquals("Check the callee", page.get("alerts").get(0).get("playbook").get(0).asText());
        assertEquals(1, page.get("deadLetters").get("requests: field 'attempt'").asLong());
    }

    @Test
    void metricsForPrometheusHaveTheGaugesOpenEpisodesAndDeadLetters() throws Exception {
        DashboardState state = new DashboardState(S);
        state.add(multiplier("svc-a", 0, 1.0));
        state.add(multiplier("svc-a", 1, 6.5));
        state.add(alert("a", Severity.PAGE, AlertStatus.FIRING, 1));
        state.add(alert("b", Severity.WARN, AlertStatus.FIRING, 1));
        state.add(alert("b", Severity.WARN, AlertStatus.RESOLVED, 5));
        state.add(new DeadLetter("asyncwatch.requests", 0, 1L, T0, null, null, null, "requests: not JSON: x"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusMetrics(state, null).write(out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("asyncwatch_retry_multiplier{layer=\"service\",service=\"svc-a\"} 6.5"), text);
        assertTrue(text.contains("asyncwatch_open_episodes{severity=\"PAGE\",type=\"RETRY_STORM\"} 1"), text);
        assertFalse(text.contains("severity=\"WARN\""), "the resolved episode is not open");
        assertTrue(text.contains("asyncwatch_dead_letters_total{reason=\"requests: not JSON\"} 1"), text);
        assertTrue(text.contains("# TYPE asyncwatch_retry_multiplier gauge"), text);
    }

    @Test
    void aSeriesThatStoppedTenMinutesBeforeTheNewestIsNoLongerExported() throws Exception {
        DashboardState state = new DashboardState(S);
        state.add(multiplier("gone", 0, 3.0));
        state.add(multiplier("here", 11, 2.0)); // the newest: ends at minute 12, gone's at minute 1
        state.add(multiplier("near", 1, 4.0)); // ends exactly 10 min before the newest: still exported
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusMetrics(state, null).write(out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("service=\"here\"} 2.0"), text);
        assertTrue(text.contains("service=\"near\"} 4.0"), text);
        assertFalse(text.contains("service=\"gone\""), text);
    }
}
