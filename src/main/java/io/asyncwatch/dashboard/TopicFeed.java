package io.asyncwatch.dashboard;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.topics.Topics;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads asyncwatch's alerts, metrics, standup and dead-letter topics into a {@link DashboardState}, from
 * {@code history-ms} ago onwards, on a thread of its own with a consumer of its own: reading for the page never takes
 * anything from detection (no shared client, no group, no commits). Committed records only.
 */
public final class TopicFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final AsyncwatchConfig config;
    private final DashboardState state;
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopped;
    private volatile Exception lastError;

    private TopicFeed(AsyncwatchConfig config, DashboardState state) {
        this.config = config;
        this.state = state;
        this.thread = new Thread(this::loop, "asyncwatch-dashboard-feed");
        this.thread.setDaemon(true);
    }

    public static TopicFeed start(AsyncwatchConfig config, DashboardState state) {
        TopicFeed f = new TopicFeed(config, state);
        f.thread.start();
        return f;
    }

    /** The last error reading the topics (it retries), or null. */
    public Exception lastError() {
        return lastError;
    }

    private void loop() {
        Topics topics = Topics.from(config);
        Deserializer<io.asyncwatch.model.Alert> alerts = topics.alerts().valueSerde().deserializer();
        Deserializer<io.asyncwatch.model.Metric> metrics = topics.metrics().valueSerde().deserializer();
        Deserializer<io.asyncwatch.model.StandupSummary> standup = topics.standup().valueSerde().deserializer();
        Deserializer<io.asyncwatch.model.DeadLetter> dlq = topics.dlq().valueSerde().deserializer();
        AsyncwatchConfig.TopicNames n = config.topics();
        while (!stopped) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                    StreamsRunner.consumerProperties(config, "asyncwatch-dashboard"))) {
                consumer = c;
                // From history-ms ago, by record time (the outputs use LogAppendTime); the alerts from far enough
                // back that every episode still firing has been announced in it. A reconnect reads it all again.
                state.clear();
                java.util.Set<String> warnedUnreadable = new java.util.HashSet<>();
                long now = System.currentTimeMillis();
                long history = now - config.settings(DashboardSettings.SPEC).historyMs();
                io.asyncwatch.run.Seek.fromTimes(c, java.util.Map.of(n.metrics(), history, n.standup(), history,
                        n.dlq(), history, n.alerts(),
                        Math.min(history, now - config.alerts().maxEpisodeMs() - 600_000)));
                while (!stopped) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                        try {
                            if (r.topic().equals(n.metrics())) {
                                state.add(metrics.deserialize(r.topic(), r.value()));
                            } else if (r.topic().equals(n.alerts())) {
                                state.add(alerts.deserialize(r.topic(), r.value()));
                            } else if (r.topic().equals(n.standup())) {
                                state.add(standup.deserialize(r.topic(), r.value()));
                            } else {
                                state.add(dlq.deserialize(r.topic(), r.value()));
                            }
                        } catch (RuntimeException e) {
                            state.unreadable(r.topic());
                            if (warnedUnreadable.add(r.topic())) {
                                LOG.warn("dashboard: cannot read the record at {}-{} offset {} ({}); it is left out of"
                                        + " the page, and every further one of {} is only counted (dead letters"
                                        + " panel: 'unreadable record on {}')", r.topic(), r.partition(), r.offset(),
                                        e.toString(), r.topic(), r.topic());
                            }
                        }
                    }
                    lastError = null;
                }
            } catch (WakeupException e) {
                return;
            } catch (Exception e) {
                lastError = e;
                LOG.warn("dashboard: reading asyncwatch's topics failed ({}); retrying in {} s", e.toString(),
                        RETRY.toSeconds());
                sleep();
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    @Override
    public void close() {
        stopped = true;
        io.asyncwatch.run.ConsumerLoops.stop(consumer, thread);
    }
}
