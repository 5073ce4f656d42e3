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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards asyncwatch's alerts to Alertmanager's v2 API ({@code POST /api/v2/alerts}), on a thread of its own with a
 * consumer of its own on the alerts topic: detection never waits for Alertmanager. At start it reads the alerts of the
 * last {@code alerts.max-episode-ms} (every episode still firing has been announced within it) and sends the firing
 * ones. Firing episodes are sent again every {@code resend-ms}; a failed request is retried with backoff (1 s doubling
 * to {@code resend-ms}), what is pending kept (bounded) and sent in one request once Alertmanager answers. The label set
 * of an episode never changes while it fires, so a re-send is never a second alert.
 */
public final class AlertmanagerSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerSink.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int MAX_PENDING = 10_000;

    private final AsyncwatchConfig config;
    private final AlertmanagerSettings s;
    private final AmAlerts alerts;
    private final HttpClient http;
    private final Thread thread;
    private final ArrayDeque<ObjectNode> pending = new ArrayDeque<>();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopped;
    private long nextResend;
    private long backoffMs;
    private long retryAt;
    private long sent;
    private long failures;

    private AlertmanagerSink(AsyncwatchConfig config, String dashboardUrl) {
        this.config = config;
        this.s = config.settings(AlertmanagerSettings.SPEC);
        this.alerts = new AmAlerts(s.maxAlerts(), !s.dashboardUrl().isEmpty() ? s.dashboardUrl()
                : dashboardUrl == null ? "" : dashboardUrl);
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
                // From alerts.max-episode-ms ago: a still-firing episode has been announced within it.
                io.asyncwatch.run.Seek.fromTime(c, List.of(topic),
                        System.currentTimeMillis() - config.alerts().maxEpisodeMs() - s.resendMs());
                while (!stopped) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                        try {
                            take(values.deserialize(topic, r.value()), System.currentTimeMillis());
                        } catch (RuntimeException e) {
                            LOG.warn("alertmanager: skipped an unreadable alert at {}-{}@{}: {}", r.topic(),
                                    r.partition(), r.offset(), e.getMessage());
                        }
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

    /** One alert from the topic: what it changes is queued for the next request. */
    void take(Alert a, long now) {
        for (ObjectNode m : alerts.apply(a, now + 4 * s.resendMs())) {
            queue(m);
        }
    }

    private void queue(ObjectNode m) {
        pending.addLast(m);
        while (pending.size() > MAX_PENDING) {
            pending.removeFirst(); // the oldest news; a firing episode is in the next re-send anyway
        }
    }

    /** Sends what is pending, and the firing episodes when a re-send is due, unless backing off. */
    void flush(long now) {
        if (now >= nextResend) {
            nextResend = now + s.resendMs();
            alerts.resend(now + 4 * s.resendMs()).forEach(this::queue);
        }
        if (pending.isEmpty() || now < retryAt) {
            return;
        }
        List<ObjectNode> batch = new ArrayList<>(pending);
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.url() + "/api/v2/alerts"))
                    .timeout(Duration.ofMillis(s.timeoutMs())).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(AmAlerts.body(batch)))).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
            }
            pending.clear();
            sent += batch.size();
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

    @Override
    public void close() {
        stopped = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A sink driven by hand (tests): no consumer, no thread. */
    static AlertmanagerSink manual(AsyncwatchConfig config, String dashboardUrl) {
        return new AlertmanagerSink(config, dashboardUrl);
    }
}
