package io.asyncwatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.Severity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The dashboard's HTTP answers: what a load balancer, a scraper and a browser each rely on. */
class DashboardServerTest {

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthFollowsTheFeedAndEachPathAnswersWhatItPromises() throws Exception {
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of());
        DashboardState state = new DashboardState(config.settings(DashboardSettings.SPEC));
        state.add(DashboardStateTest.multiplier("svc-order", 0, 6.5));
        state.add(DashboardStateTest.alert("svc-order", Severity.PAGE, AlertStatus.FIRING, 0));
        AtomicReference<Exception> feed = new AtomicReference<>();
        try (DashboardServer server = DashboardServer.start(config, "127.0.0.1:0", state,
                new PrometheusMetrics(state, null))) {
            server.healthFrom(feed::get);
            assertEquals(200, get(server.url() + "healthz").statusCode());
            feed.set(new org.apache.kafka.common.errors.TimeoutException("broker unreachable"));
            HttpResponse<String> down = get(server.url() + "healthz");
            assertEquals(503, down.statusCode());
            assertTrue(down.body().contains("broker unreachable"), down.body());
            feed.set(null);
            assertEquals(200, get(server.url() + "healthz").statusCode(), "healthy again once the feed reads");

            HttpResponse<String> api = get(server.url() + "api/state");
            assertEquals(200, api.statusCode());
            assertTrue(api.body().contains("\"refreshMs\":2000"), api.body());
            HttpResponse<String> metrics = get(server.url() + "metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertTrue(metrics.body().contains("asyncwatch_open_episodes{severity=\"PAGE\",type=\"RETRY_STORM\"} 1"));
            HttpResponse<String> page = get(server.url());
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
            assertEquals(404, get(server.url() + "elsewhere").statusCode());
            assertEquals(405, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
                    + "api/state")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
