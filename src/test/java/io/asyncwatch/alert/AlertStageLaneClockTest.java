package io.asyncwatch.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Severity;
import io.asyncwatch.state.StoreMode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * A detector task whose clock jumps (a catch-up, a restart) closes each subject's windows in turn: one subject's later
 * windows reach the alert stage before another subject's earlier ones. Only the task's ticks may move the clock that
 * an episode's silence is measured on.
 */
class AlertStageLaneClockTest {

    private static final Instant WALL = Instant.parse("2026-01-05T09:00:00Z");
    private static final long T = 1_767_225_600_000L;
    private static final long W = 60_000;
    private static final String SOURCE = "retry-storm:0";

    private static Finding finding(String service, long windowStart, Severity severity) {
        Map<String, String> subject = Map.of("service", service, "layer", "service");
        return new Finding(Finding.fingerprint(AlertType.RETRY_STORM, Map.of("service", service)),
                AlertType.RETRY_STORM, severity, subject, service + (severity == null ? " normal" : " storm"),
                severity == null ? 1 : 12, 3, windowStart, windowStart + W, List.of(), SOURCE);
    }

    @Test
    void anotherSubjectsLaterWindowsDoNotResolveAnEpisodeByQuiet() {
        List<Finding> sent = new java.util.ArrayList<>();
        sent.add(Finding.tick(AlertType.RETRY_STORM, SOURCE, T));
        sent.add(finding("svc-x", T, Severity.ALERT));
        // The task's clock jumped ten windows: svc-y's windows all come first, then svc-x's.
        for (int i = 0; i < 10; i++) {
            sent.add(finding("svc-y", T + i * W, null));
        }
        sent.add(finding("svc-x", T + W, Severity.ALERT));
        for (int i = 2; i < 10; i++) {
            sent.add(finding("svc-x", T + i * W, null));
        }
        sent.add(Finding.tick(AlertType.RETRY_STORM, SOURCE, T + 10 * W));

        List<String> alerts = alerts(AlertType.RETRY_STORM,
                AlertPolicy.windowed(W, AlertPolicy.Direction.HIGHER_IS_WORSE), sent);
        assertEquals(2, alerts.size(), "one episode, fired and resolved: " + alerts);
        assertTrue(alerts.get(0).startsWith("FIRING "), alerts.get(0));
        assertTrue(alerts.get(1).startsWith("RESOLVED ") && alerts.get(1).contains("clear for 3 consecutive"),
                "resolved by its own clear windows, not by svc-y's later ones: " + alerts.get(1));
        assertTrue(alerts.get(1).contains("over 2 firing findings"), alerts.get(1));
    }

    /** Alerts as "STATUS summary", for findings (and ticks) of one type sent in this order, each at its window end. */
    private static List<String> alerts(AlertType type, AlertPolicy policy, List<Finding> sent) {
        StreamsBuilder builder = new StreamsBuilder();
        AsyncwatchConfig config = AsyncwatchConfig.fromMap(Map.of());
        AlertLifecycle lifecycle = new AlertLifecycle(config.alerts(), Map.of(type, policy), Playbooks.load());
        AlertStage.alerts(AlertStage.wire(Map.of("a", builder.stream("in",
                                Consumed.with(Serdes.String(), Finding.SERDE))), lifecycle, config.alerts(),
                        StoreMode.IN_MEMORY, source -> false, 0))
                .mapValues(a -> a.status() + " " + a.summary())
                .to("alerts", Produced.with(Serdes.String(), Serdes.String()));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), new java.util.Properties(), WALL)) {
            TestInputTopic<String, Finding> in = driver.createInputTopic("in", new StringSerializer(),
                    Finding.SERDE.serializer());
            for (Finding f : sent) {
                in.pipeInput(f.isTick() ? "" : f.fingerprint(), f, f.windowEnd());
            }
            return driver.createOutputTopic("alerts", new StringDeserializer(), new StringDeserializer())
                    .readValuesToList();
        }
    }

    private static List<String> eventDrivenAlerts(List<Finding> sent) {
        return alerts(AlertType.CONCURRENT_WRITE, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE), sent);
    }

    private static Finding conflicts(long windowStart) {
        Map<String, String> subject = Map.of("entityType", "Order");
        return new Finding(Finding.fingerprint(AlertType.CONCURRENT_WRITE, subject), AlertType.CONCURRENT_WRITE,
                Severity.WARN, subject, "conflicts at " + windowStart, 5, 1, windowStart, windowStart + W, List.of(),
                "concurrent-write:0");
    }

    @Test
    void aSubjectsNextWindowPastItsEpisodesDeadlineMeetsTheDeadlineFirst_AsTicksBetweenWouldHave() {
        // The task's clock jumped from before the first window to after the second (a restart): both windows came
        // without a tick between them, 25 minutes apart, far beyond the 10 minutes of quiet that resolve an episode.
        Finding tick = Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T);
        List<String> jumped = eventDrivenAlerts(List.of(tick, conflicts(T + 11 * W), conflicts(T + 36 * W),
                Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 60 * W)));
        List<String> ticked = eventDrivenAlerts(List.of(tick, conflicts(T + 11 * W),
                Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 30 * W), conflicts(T + 36 * W),
                Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 60 * W)));
        assertEquals(List.of("FIRING", "RESOLVED", "FIRING", "RESOLVED"),
                jumped.stream().map(a -> a.substring(0, a.indexOf(' '))).toList(), "two episodes: " + jumped);
        assertTrue(jumped.get(1).contains("00:11 to 2026-01-01 00:22"), jumped.get(1));
        assertEquals(ticked, jumped, "the same alerts as with a tick between the windows");

        // A window ending at the deadline: the task sends it only once its clock has passed the window's end (and
        // the grace), so ticks up to the deadline would have come first.
        List<String> atDeadline = eventDrivenAlerts(List.of(tick, conflicts(T + 11 * W), conflicts(T + 21 * W),
                Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 60 * W)));
        List<String> tickedAtDeadline = eventDrivenAlerts(List.of(tick, conflicts(T + 11 * W),
                Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 22 * W + 10_000),
                conflicts(T + 21 * W), Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 60 * W)));
        assertEquals(tickedAtDeadline, atDeadline);
        assertEquals(4, atDeadline.size(), "two episodes: " + atDeadline);

        // A window of the same subject before the deadline joins the open episode, with or without ticks.
        List<String> within = eventDrivenAlerts(List.of(tick, conflicts(T + 11 * W), conflicts(T + 20 * W),
                Finding.tick(AlertType.CONCURRENT_WRITE, "concurrent-write:0", T + 60 * W)));
        assertEquals(List.of("FIRING", "RESOLVED"), within.stream().map(a -> a.substring(0, a.indexOf(' ')))
                .toList(), "one episode: " + within);
        assertTrue(within.get(1).contains("00:11 to 2026-01-01 00:31"), within.get(1));
    }
}
