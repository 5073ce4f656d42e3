package io.asyncwatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Json;
import io.asyncwatch.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus server scrapes {@code /metrics}, answers a query with asyncwatch's series, and the alert rules of
 * {@code docker/asyncwatch-rules.yml} (the README's) fire on them.
 */
class PrometheusServerTest {

    @Test
    @Timeout(120)
    void prometheusScrapesTheGaugesAndAnswersAQuery(@TempDir Path tmp) throws Exception {
        Path prometheus = ExternalTool.require("prometheus", "prometheus");
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of());
        DashboardState state = new DashboardState(config.settings(DashboardSettings.SPEC));
        state.add(DashboardStateTest.multiplier("svc-order", 0, 1.0));
        state.add(DashboardStateTest.multiplier("svc-order", 1, 6.5));
        state.add(DashboardStateTest.alert("svc-order", Severity.PAGE, AlertStatus.FIRING, 1));
        try (DashboardServer server = DashboardServer.start(config, "127.0.0.1:0", state,
                new PrometheusMetrics(state, null))) {
            String target = server.url().replace("http://", "").replace("/", "");
            int port = ExternalTool.freePort();
            Path yml = tmp.resolve("prometheus.yml");
            Files.writeString(yml, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                      - '%s'
                    scrape_configs:
                      - job_name: asyncwatch
                        static_configs:
                          - targets: ['%s']
                    """.formatted(Path.of("docker/asyncwatch-rules.yml").toAbsolutePath(), target));
            try (ExternalTool p = ExternalTool.start(List.of(prometheus.toString(), "--config.file=" + yml,
                    "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + port),
                    tmp.resolve("prometheus.log"))) {
                String query = "http://127.0.0.1:" + port + "/api/v1/query?query=asyncwatch_retry_multiplier";
                String body = ExternalTool.awaitGet(query, b -> b.contains("svc-order"), Duration.ofSeconds(60));
                assertTrue(body.contains("svc-order"), body + "\n" + p.log());
                JsonNode result = Json.MAPPER.readTree(body).get("data").get("result").get(0);
                assertEquals("svc-order", result.get("metric").get("service").asText());
                assertEquals("asyncwatch", result.get("metric").get("job").asText());
                assertEquals(6.5, result.get("value").get(1).asDouble(), 1e-9);

                String open = ExternalTool.awaitGet("http://127.0.0.1:" + port
                        + "/api/v1/query?query=asyncwatch_open_episodes", b -> b.contains("RETRY_STORM"),
                        Duration.ofSeconds(30));
                assertTrue(open.contains("\"severity\":\"PAGE\""), open);

                // The README's rules, loaded as docker-compose loads them, fire on these series.
                String rules = ExternalTool.awaitGet("http://127.0.0.1:" + port + "/api/v1/alerts",
                        b -> b.contains("Retry_Storm_Active"), Duration.ofSeconds(30));
                assertTrue(rules.contains("Retry_Storm_Active") && rules.contains("\"state\":\"firing\""), rules);
            }
        }
    }
}
