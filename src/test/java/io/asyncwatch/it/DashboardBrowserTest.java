package io.asyncwatch.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.dashboard.Dashboard;
import io.asyncwatch.demo.LogicalClockJump;
import io.asyncwatch.demo.SkewedClock;
import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import io.asyncwatch.demo.TrafficGenerator.Service;
import io.asyncwatch.demo.TrafficGenerator.Storm;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.testing.BrokerIo;
import io.asyncwatch.testing.Browser;
import io.asyncwatch.testing.InterceptKafkaExit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser: the embedded broker, the topology and the dashboard's server; headless Chromium
 * opens the page before any traffic, then an incident plays (a skewed clock, a logical clock jump, a retry storm) and
 * every panel must fill with data and the storm's alert appear, without a reload.
 */
@ExtendWith(InterceptKafkaExit.class)
class DashboardBrowserTest {

    private static final long START = 1_700_000_000_000L - 1_700_000_000_000L % 3_600_000L;

    private static final Plan PLAN = new Plan(START, 20,
            List.of(new Service("svc-pay", "service", "db-pay", 200, 0.02, 0.5),
                    new Service("db-pay", "database", null, 150, 0.01)),
            TrafficGenerator.twoClusters(),
            List.of(new SkewedClock("users-cluster", "users-2", 5, 6, 350),
                    new LogicalClockJump("orders-3", 8, 5_000),
                    new Storm("svc-pay", 12, List.of(6.0, 10.0, 6.0))),
            5L);

    /** Runs {@code script} until it returns non-null (the page renders on its own schedule). */
    private static JsonNode awaitPage(Browser browser, String script) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode r = browser.run(script);
        while ((r == null || r.isNull()) && System.nanoTime() < deadline) {
            Thread.sleep(200); // polling the DOM: the page gives no other signal
            r = browser.run(script);
        }
        assertTrue(r != null && !r.isNull(), "the page never rendered");
        return r;
    }

    @Test
    @Timeout(240)
    void everyPanelFillsAndTheStormsAlertAppearsLiveInARealBrowser(@TempDir Path tmp) throws Exception {
        try (Browser browser = Browser.start(tmp);
             EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"),
                     Map.of("log.initial.task.delay.ms", "600000"))) {
            Map<String, String> settings = new TreeMap<>(Map.of(
                    StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    StreamsConfig.APPLICATION_ID_CONFIG, "asyncwatch-dashboard-browser",
                    StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString(),
                    "asyncwatch.standup.rolling-every-ms", "60000",
                    "asyncwatch.standup.bucket-ms", "60000",
                    "asyncwatch.standup.settle-ms", "120000",
                    "asyncwatch.standup.warmup-ms", "5000"));
            AsyncwatchConfig config = AsyncwatchConfig.fromMap(settings);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                StreamsRunner.createTopics(admin, config);
            }
            Properties props = StreamsRunner.streamsProperties(config);
            StreamsRunner.expectUpstreamPartitions(props, config);
            try (KafkaStreams streams = new KafkaStreams(AsyncwatchTopology.build(config), props);
                 Dashboard dashboard = Dashboard.start(config, streams::metrics, "127.0.0.1:0")) {
                streams.start();
                browser.open(dashboard.url());
                JsonNode before = awaitPage(browser, """
                        return document.body.dataset.version ? {
                          alerts: document.querySelectorAll('[data-fingerprint]').length,
                          text: document.getElementById('alert-list').textContent } : null;""");
                assertEquals(0, before.get("alerts").asInt(), "no alert before any traffic: " + before);
                assertEquals("No alert yet.", before.get("text").asText());

                List<String> lines = new ArrayList<>();
                for (Iterator<Generated> it = TrafficGenerator.events(PLAN); it.hasNext(); ) {
                    Generated g = it.next();
                    lines.add(Recording.line(g.topic(), g.timestamp(), g.key(), g.event()));
                }
                BrokerIo.produce(kafka.bootstrapServers(), config, lines);

                // The page polls /api/state; wait (by polling the page) until it shows everything.
                String check = """
                        const panels = [...document.querySelectorAll('section[id^="panel-"]')];
                        return {
                          panels: panels.map(p => p.id + '=' + p.dataset.hasData),
                          standup: document.getElementById('standup').dataset.hasData || 'false',
                          storm: document.querySelectorAll('.alert[data-fingerprint^="RETRY_STORM"]').length,
                          charts: [...document.querySelectorAll('.chart')].map(c => c.id + '=' + c.dataset.points),
                          resources: performance.getEntriesByType('resource').map(r => r.name),
                          errors: window.asyncwatchErrors || ['no error hook'],
                          version: document.body.dataset.version || ''
                        };""";
                JsonNode seen = null;
                long deadline = System.nanoTime() + 150_000_000_000L;
                while (System.nanoTime() < deadline) {
                    seen = browser.run(check);
                    boolean all = seen.get("panels").size() == 5;
                    for (JsonNode p : seen.get("panels")) {
                        all &= p.asText().endsWith("=true");
                    }
                    if (all && seen.get("standup").asText().equals("true") && seen.get("storm").asInt() > 0) {
                        break;
                    }
                    Thread.sleep(1_000); // the page refreshes on its own; nothing to wait on but its DOM
                }
                Files.write(Path.of("target", "dashboard-browser-test.png"), browser.screenshot());
                assertTrue(seen.get("panels").size() == 5, seen.toString());
                for (JsonNode p : seen.get("panels")) {
                    assertTrue(p.asText().endsWith("=true"), "every panel has data: " + seen);
                }
                assertEquals("true", seen.get("standup").asText(), "the standup boxes: " + seen);
                assertTrue(seen.get("storm").asInt() > 0, "the storm's alert appeared without a reload: " + seen);
                assertTrue(seen.get("charts").size() >= 5, "charts drawn: " + seen);
                for (JsonNode c : seen.get("charts")) {
                    assertTrue(!c.asText().endsWith("=0") && !c.asText().endsWith("=undefined"),
                            "every chart has points: " + seen.get("charts"));
                }
                assertEquals(0, seen.get("errors").size(), "no script error: " + seen.get("errors"));
                String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(dashboard.url() + "metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("asyncwatch_retry_multiplier{"), "the detectors' gauges");
                assertTrue(metrics.contains("kafka_streams_stream_thread_process_total{"),
                        "the topology's own metrics, from the Streams client in this process: " + metrics.lines()
                                .filter(l -> l.startsWith("kafka_streams")).limit(40).toList());
                String origin = dashboard.url().substring(0, dashboard.url().length() - 1);
                for (JsonNode r : seen.get("resources")) {
                    assertTrue(r.asText().startsWith(origin), "nothing asked of anyone else: " + r);
                }
            }
        }
    }
}
