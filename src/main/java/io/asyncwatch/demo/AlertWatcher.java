package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.topics.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Reads the alerts (and counts the dead letters) produced from now on, in its own daemon thread, printing one
 * {@link AlertLine} per alert and ticking off the expected episodes as their RESOLVED alerts arrive.
 * Read committed: only what the exactly-once transactions have committed.
 */
final class AlertWatcher implements Runnable, AutoCloseable {

    private final Set<ExpectedEpisode> outstanding;
    private final CountDownLatch allResolved;
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<Alert> alertDeserializer;
    private final String alertsTopic;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean closing;

    private AlertWatcher(AsyncwatchConfig cfg, TopicSetup topics, List<ExpectedEpisode> expected, PrintStream out) {
        this.outstanding = new LinkedHashSet<>(expected);
        this.allResolved = new CountDownLatch(outstanding.isEmpty() ? 0 : 1);
        this.alertsTopic = cfg.topics().alerts();
        this.alertDeserializer = Topics.from(cfg).alerts().valueSerde().deserializer();
        this.out = out;
        Map<String, Object> c = new TreeMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafka().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "asyncwatch-demo-alerts");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> assigned = topics.partitionsOf(List.of(alertsTopic, cfg.topics().dlq()));
        consumer.assign(assigned);
        // From the current end: a kept data directory may hold alerts of earlier runs.
        consumer.seekToEnd(assigned);
        assigned.forEach(consumer::position);
        this.thread = new Thread(this, "asyncwatch-demo-alerts");
        thread.setDaemon(true);
    }

    /** Starts watching; {@code expected} are the episodes whose RESOLVED alerts {@link #awaitExpected} waits for. */
    static AlertWatcher start(AsyncwatchConfig cfg, TopicSetup topics, List<ExpectedEpisode> expected,
                              PrintStream out) {
        AlertWatcher w = new AlertWatcher(cfg, topics, expected, out);
        w.thread.start();
        return w;
    }

    @Override
    public void run() {
        try {
            while (!closing) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals(alertsTopic)) {
                        onAlert(alertDeserializer.deserialize(r.topic(), r.value()));
                    } else {
                        deadLetters.incrementAndGet();
                    }
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } catch (Exception e) {
            if (!closing) {
                failure.set(e);
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private void onAlert(Alert a) {
        if (a == null) {
            return;
        }
        // Printed before it counts, so the last alert is on the screen before the demo's summary.
        out.println(AlertLine.format(a));
        out.flush();
        synchronized (this) {
            alerts.add(a);
            if (outstanding.removeIf(e -> e.resolvedBy(a)) && outstanding.isEmpty()) {
                allResolved.countDown();
            }
        }
    }

    /** Waits up to {@code millis} for every expected episode to have resolved; true once they all have. */
    boolean awaitExpected(long millis) throws InterruptedException {
        return allResolved.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The expected episodes not resolved yet. */
    synchronized List<ExpectedEpisode> outstanding() {
        return List.copyOf(outstanding);
    }

    /** Why reading stopped, or {@code null} while it goes on. */
    Exception failure() {
        return failure.get();
    }

    long deadLetters() {
        return deadLetters.get();
    }

    synchronized int alertCount() {
        return alerts.size();
    }

    /** "FIRING WARN 1, FIRING PAGE 1, RESOLVED PAGE 1" in status then severity order. */
    synchronized String tally() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Alert a : alerts) {
            String key = (a.status() == null ? 9 : a.status().ordinal()) + "" + (a.severity() == null ? 9
                    : a.severity().ordinal()) + " " + a.status() + " " + a.severity();
            counts.merge(key, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((k, n) -> parts.add(k.substring(3) + " " + n));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /** "RETRY_STORM 4 (svc-order, ...), LATENCY_TAIL 1 (...)": episodes that fired, per type, in type order. */
    synchronized String fired() {
        Map<AlertType, Set<String>> subjects = new TreeMap<>();
        for (Alert a : alerts) {
            if (a.status() == AlertStatus.FIRING) {
                Map<String, String> subject = a.subject() == null ? Map.of() : a.subject();
                String who = subject.getOrDefault("service", subject.getOrDefault("entry", a.fingerprint()));
                subjects.computeIfAbsent(a.type(), k -> new TreeSet<>()).add(who);
            }
        }
        List<String> parts = new ArrayList<>();
        subjects.forEach((type, who) -> parts.add(type + " (" + String.join(", ", who) + ")"));
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
