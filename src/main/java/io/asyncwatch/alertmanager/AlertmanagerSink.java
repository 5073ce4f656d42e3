package io.asyncwatch.alertmanager;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.serde.Json;
import io.asyncwatch.topics.Topics;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards asyncwatch's alerts to Alertmanager's v2 API ({@code POST /api/v2/alerts}), on a thread of its own with a
 * consumer of its own on the alerts topic: detection never waits for Alertmanager. At start (and on a reconnect) it re-reads the
 * alerts of the last {@code alerts.max-episode-ms} (every episode still firing has been announced within it) to rebuild
 * the firing set, and sends it once, with the RESOLVED of the last {@code 4 x resend-ms} only (older ones have expired
 * at Alertmanager already). Firing episodes are sent again every {@code resend-ms}; a failed request is retried with
 * backoff (1 s doubling to {@code resend-ms}), what is pending kept (the newest news per alert, bounded) and sent in one
 * request once Alertmanager answers. A request refused with a 4xx is not retried: each alert of it is sent alone and
 * those refused alone are logged and dropped. The label set of an episode never changes while it fires, so a re-send
 * is never a second alert.
 */
public final class AlertmanagerSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerSink.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int MAX_PENDING = 10_000;

    private final AsyncwatchConfig config;
    private final AlertmanagerSettings s;
    private final String dashboardUrl;
    private AmAlerts alerts;
    private final HttpClient http;
    private final Thread thread;
    /** What to send next, by label set: a newer message about the same Alertmanager alert replaces the older. */
    private final LinkedHashMap<String, ObjectNode> pending = new LinkedHashMap<>();
    /** While non-null, the consumer is re-reading history up to these offsets: the firing set is rebuilt, not sent. */
    private Map<TopicPartition, Long> catchUpTo;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopped;
    private long nextResend;
    private long backoffMs;
    private long retryAt;
    private long sent;
    private long failures;
    private long rejected;

    private AlertmanagerSink(AsyncwatchConfig config, String dashboardUrl) {
        this.config = config;
        this.s = config.settings(AlertmanagerSettings.SPEC);
        this.dashboardUrl = !s.dashboardUrl().isEmpty() ? s.dashboardUrl() : dashboardUrl == null ? "" : dashboardUrl;
        this.alerts = new AmAlerts(s.maxAlerts(), this.dashboardUrl);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(s.timeoutMs())).build();
        this.thread = new Thread(this::loop, "asyncwatch-alertmanager");
        this.thread.setDaemon(true);
    }

    /** Starts forwarding when {@code asyncwatch.alertmanager.url} is set; null otherwise. */
    public static AlertmanagerSink startIfEnabled(AsyncwatchConfig config, String dashboardUrl, PrintStream err) {
        AlertmanagerSettings s = config.settings(AlertmanagerSettings.SPEC);
        if (!s.enabled()) {
            return null;
        }
        AlertmanagerSink sink = new AlertmanagerSink(config, dashboardUrl);
        sink.thread.start();
        err.println("asyncwatch: forwarding alerts to Alertmanager at " + s.url());
        return sink;
    }

    private void loop() {
        Deserializer<Alert> values = Topics.from(config).alerts().valueSerde().deserializer();
        String topic = config.topics().alerts();
        while (!stopped) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                    StreamsRunner.consumerProperties(config, "asyncwatch-alertmanager"))) {
                consumer = c;
                // From alerts.max-episode-ms ago: a still-firing episode has been announced within it. What was
                // already there is re-read to rebuild the firing set, which is then sent once.
                io.asyncwatch.run.Seek.fromTime(c, List.of(topic),
                        System.currentTimeMillis() - config.alerts().maxEpisodeMs() - s.resendMs());
                startCatchUp(c.endOffsets(c.assignment()));
                while (!stopped) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                        try {
                            take(values.deserialize(topic, r.value()), r.timestamp(), System.currentTimeMillis());
                        } catch (RuntimeException e) {
                            LOG.warn("alertmanager: skipped an unreadable alert at {}-{}@{}: {}", r.topic(),
                                    r.partition(), r.offset(), e.getMessage());
                        }
                    }
                    if (catchUpTo != null && caughtUp(c)) {
                        endCatchUp(System.currentTimeMillis());
                    }
                    flush(System.currentTimeMillis());
                }
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                LOG.warn("alertmanager: reading {} failed ({}); retrying", topic, e.toString());
                pause(5_000);
            }
        }
    }

    /** A (re)connect: the firing set is rebuilt from the topic up to {@code endOffsets} before anything is sent. */
    void startCatchUp(Map<TopicPartition, Long> endOffsets) {
        alerts = new AmAlerts(s.maxAlerts(), dashboardUrl);
        catchUpTo = new HashMap<>(endOffsets);
    }

    private boolean caughtUp(KafkaConsumer<?, ?> c) {
        for (Map.Entry<TopicPartition, Long> e : catchUpTo.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** History re-read: the firing set goes out now, with the re-send. */
    void endCatchUp(long now) {
        catchUpTo = null;
        nextResend = now;
    }

    /**
     * One alert from the topic (appended at {@code recordTime}): what it changes is queued for the next request. While
     * catching up, only what Alertmanager may still hold is queued: an alert from longer ago than a firing one lives
     * there ({@code 4 x resend-ms}) has expired at Alertmanager already, so its RESOLVED would be history sent again.
     */
    void take(Alert a, long recordTime, long now) {
        List<ObjectNode> messages = alerts.apply(a, now, now + 4 * s.resendMs());
        if (catchUpTo != null && recordTime < now - 4 * s.resendMs()) {
            return;
        }
        for (ObjectNode m : messages) {
            queue(m);
        }
    }

    private void queue(ObjectNode m) {
        pending.put(AmAlerts.key(m), m);
        while (pending.size() > MAX_PENDING) {
            pending.remove(pending.keySet().iterator().next()); // the oldest news; a firing one is re-sent anyway
        }
    }

    /** Sends what is pending, and the firing episodes when a re-send is due, unless backing off or catching up. */
    void flush(long now) {
        if (catchUpTo != null) {
            return;
        }
        if (now >= nextResend) {
            nextResend = now + s.resendMs();
            // Only firing alerts are re-sent, and a firing alert's pending message is firing too: replacing it
            // just moves its endsAt on.
            alerts.resend(now + 4 * s.resendMs()).forEach(this::queue);
        }
        if (pending.isEmpty() || now < retryAt) {
            return;
        }
        List<ObjectNode> batch = new ArrayList<>(pending.values());
        try {
            Answer answer = post(batch);
            int status = answer.status();
            if (refused(status)) {
                // Refused as it is, so sending it again cannot help and would hold every later alert back: each is
                // sent alone, and only those refused alone are dropped.
                for (ObjectNode m : batch) {
                    Answer alone = batch.size() == 1 ? answer : post(List.of(m));
                    int one = alone.status();
                    if (refused(one)) {
                        rejected++;
                        LOG.error("alertmanager: {} refused an alert with HTTP {} ({}); dropped it: {}", s.url(), one,
                                alone.body(), m);
                    } else if (one / 100 != 2) {
                        throw new IllegalStateException(alone.toString());
                    } else {
                        sent++;
                    }
                    pending.remove(AmAlerts.key(m));
                }
            } else if (status / 100 != 2) {
                throw new IllegalStateException(answer.toString());
            } else {
                pending.clear();
                sent += batch.size();
            }
            backoffMs = 0;
            retryAt = 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        } catch (Exception e) {
            failures++;
            backoffMs = backoffMs == 0 ? 1_000 : Math.min(s.resendMs(), backoffMs * 2);
            retryAt = now + backoffMs;
            LOG.warn("alertmanager: sending {} alert(s) to {} failed ({}); retrying in {} ms, {} kept", batch.size(),
                    s.url(), e.toString(), backoffMs, pending.size());
        }
    }

    /** 4xx but a timeout or a rate limit: the request itself is wrong. */
    private static boolean refused(int status) {
        return status / 100 == 4 && status != 408 && status != 429;
    }

    /** Alertmanager's answer: the status, and the body that says why when it is not 2xx. */
    private record Answer(int status, String body) {
        @Override
        public String toString() {
            return "HTTP " + status + (body.isEmpty() ? "" : ": " + body);
        }
    }

    private Answer post(List<ObjectNode> messages) throws java.io.IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/alerts"))
                .timeout(Duration.ofMillis(s.timeoutMs())).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(AmAlerts.body(messages)))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().strip());
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    long sent() {
        return sent;
    }

    long failures() {
        return failures;
    }

    long rejected() {
        return rejected;
    }

    @Override
    public void close() {
        stopped = true;
        io.asyncwatch.run.ConsumerLoops.stop(consumer, thread);
    }

    /** A sink driven by hand (tests): no consumer, no thread. */
    static AlertmanagerSink manual(AsyncwatchConfig config, String dashboardUrl) {
        return new AlertmanagerSink(config, dashboardUrl);
    }
}
