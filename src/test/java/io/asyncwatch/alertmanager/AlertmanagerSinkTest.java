package io.asyncwatch.alertmanager;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import io.asyncwatch.serde.Json;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink's sending rules against a stand-in Alertmanager that records every request (the real one is in
 * {@link AlertmanagerTest}): what a reconnect sends, what a refused request costs, what is kept while it is down.
 */
class AlertmanagerSinkTest {

    private static final long NOW = Instant.parse("2026-03-01T12:00:00Z").toEpochMilli();
    private static final long RESEND = 60_000;

    private HttpServer server;
    private final List<JsonNode> requests = new ArrayList<>();
    private volatile int status = 200;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v2/alerts", x -> {
            JsonNode body = Json.MAPPER.readTree(x.getRequestBody());
            int answer = status;
            if (answer == 200) {
                synchronized (requests) {
                    requests.add(body);
                }
                // Like Alertmanager refusing an invalid alert: the whole request is refused.
                for (JsonNode a : body) {
                    if (a.get("labels").path("node").asText().equals("invalid")) {
                        answer = 400;
                    }
                }
            }
            byte[] reply = (answer == 200 ? "" : "refused").getBytes();
            x.sendResponseHeaders(answer, reply.length == 0 ? -1 : reply.length);
            x.getResponseBody().write(reply);
            x.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private AlertmanagerSink sink() {
        return AlertmanagerSink.manual(AsyncwatchConfig.fromMap(Map.of("asyncwatch.alertmanager.url",
                "http://127.0.0.1:" + server.getAddress().getPort(), "asyncwatch.alertmanager.resend-ms",
                String.valueOf(RESEND))), "");
    }

    private static Alert alert(String node, AlertStatus status, long start) {
        return new Alert("id-" + node + status, "fp-" + node, AlertType.HEARTBEAT_LOSS, Severity.ALERT, status,
                Map.of("node", node), "silent", 1.0, 1.0, start, start + 60_000, List.of(), List.of());
    }

    /** node -> endsAt of each alert sent in the request at {@code i}. */
    private Map<String, Long> request(int i) {
        Map<String, Long> out = new java.util.TreeMap<>();
        requests.get(i).forEach(a -> out.put(a.get("labels").get("node").asText(),
                Instant.parse(a.get("endsAt").asText()).toEpochMilli()));
        return out;
    }

    @Test
    void aReconnectSendsTheRebuiltFiringSetOnceAndOnlyTheResolvedAlertmanagerMayStillHold() {
        AlertmanagerSink sink = sink();
        sink.startCatchUp(Map.of(new TopicPartition("asyncwatch.alerts", 0), 6L));
        long hourAgo = NOW - 3_600_000;
        sink.take(alert("old", AlertStatus.FIRING, hourAgo), hourAgo, NOW);
        sink.take(alert("old", AlertStatus.RESOLVED, hourAgo), hourAgo + 60_000, NOW); // expired there long ago
        sink.take(alert("still", AlertStatus.FIRING, hourAgo), hourAgo, NOW);
        sink.take(alert("recent", AlertStatus.FIRING, NOW - 200_000), NOW - 200_000, NOW);
        sink.take(alert("recent", AlertStatus.RESOLVED, NOW - 200_000), NOW - 30_000, NOW); // may still fire there
        sink.flush(NOW);
        assertEquals(0, requests.size(), "nothing is sent before the history is re-read");

        sink.endCatchUp(NOW);
        sink.flush(NOW);
        assertEquals(1, requests.size());
        // The recent episode ended at its window's end; the one still firing is valid for 4 re-sends.
        assertEquals(Map.of("recent", NOW - 140_000, "still", NOW + 4 * RESEND), request(0));
        sink.flush(NOW + 1_000);
        assertEquals(1, requests.size(), "sent once; the next re-send is due in resend-ms");
        sink.flush(NOW + RESEND);
        assertEquals(Map.of("still", NOW + RESEND + 4 * RESEND), request(1));
    }

    @Test
    void aRefusedAlertIsDroppedAloneAndHoldsNothingBack() {
        AlertmanagerSink sink = sink();
        sink.endCatchUp(NOW);
        sink.take(alert("a", AlertStatus.FIRING, NOW), NOW, NOW);
        sink.take(alert("invalid", AlertStatus.FIRING, NOW), NOW, NOW);
        sink.take(alert("b", AlertStatus.FIRING, NOW), NOW, NOW);
        sink.flush(NOW);
        // The batch, refused; then each alone.
        assertEquals(List.of(Map.of("a", NOW + 4 * RESEND, "b", NOW + 4 * RESEND, "invalid", NOW + 4 * RESEND),
                Map.of("a", NOW + 4 * RESEND), Map.of("invalid", NOW + 4 * RESEND), Map.of("b", NOW + 4 * RESEND)),
                List.of(request(0), request(1), request(2), request(3)));
        assertEquals(2, sink.sent());
        assertEquals(1, sink.rejected());
        assertEquals(0, sink.failures(), "a refusal is not retried");

        sink.take(alert("c", AlertStatus.FIRING, NOW), NOW + 1, NOW + 1);
        sink.flush(NOW + 1);
        assertEquals(Map.of("c", NOW + 1 + 4 * RESEND), request(4), "no backoff, nothing left pending");
    }

    @Test
    void whileAlertmanagerIsDownOnlyTheNewestNewsOfEachAlertIsKept() {
        AlertmanagerSink sink = sink();
        sink.endCatchUp(NOW);
        status = 503;
        sink.take(alert("a", AlertStatus.FIRING, NOW - 120_000), NOW, NOW);
        sink.flush(NOW);
        sink.take(alert("a", AlertStatus.RESOLVED, NOW - 120_000), NOW + 500, NOW + 500);
        sink.flush(NOW + 500); // backing off
        assertEquals(1, sink.failures());
        status = 200;
        sink.flush(NOW + RESEND); // a re-send is due too: it must not bring the resolved alert back
        assertEquals(1, requests.size());
        assertEquals(Map.of("a", NOW - 120_000 + 60_000), request(0));
        assertEquals(1, sink.sent());
    }
}
