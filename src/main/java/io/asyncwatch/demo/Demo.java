package io.asyncwatch.demo;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.TrafficGenerator.Generated;
import io.asyncwatch.demo.TrafficGenerator.Plan;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.standup.StandupCommand;
import io.asyncwatch.standup.StandupFormat;
import io.asyncwatch.standup.StandupSettings;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code asyncwatch demo}: a real single-node Kafka broker in this JVM, the production topology on it with
 * exactly-once processing, and the {@link TrafficGenerator}'s demo plan (normal traffic of services and clusters,
 * the plan's scenarios: duplicate writes, then a retry storm on svc-order that escalates and dies down) fed in as
 * fast as the broker takes it. Alerts are printed to stdout as they arrive; progress and logs go to stderr.
 *
 * <p>The demo ends by itself once every episode the plan's scenarios expect has RESOLVED (or after
 * {@link #ALERT_DEADLINE}). With {@code --data-dir} the broker's data is kept between runs; each run then uses a new
 * application id that starts after the input already there, so earlier runs neither replay nor make this run's
 * traffic late.
 */
public final class Demo {

    static final long SEED = 42;
    static final Duration ALERT_DEADLINE = Duration.ofSeconds(120);
    private static final Duration STANDUP_DEADLINE = Duration.ofSeconds(60);
    /** The plan's last minutes, normal traffic after the last incident, that the printed summary may leave out. */
    private static final long STANDUP_TAIL_MS = 3 * 60_000L;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration HOOK_WAIT = Duration.ofSeconds(60);
    private static final String HOOK_NAME = "asyncwatch-demo-shutdown";
    private static final int REPORT_EVERY_MINUTES = 15;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HHMM = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private Demo() {
    }

    public static int run(AsyncwatchConfig config, boolean keepRunning, Path dataDir, PrintStream out,
                          PrintStream err) {
        CtrlC stop = new CtrlC(HOOK_NAME, HOOK_WAIT);
        int status = 1;
        try {
            status = run(config, keepRunning, dataDir, out, err, stop);
            return status;
        } finally {
            LingeringThreads.report(err, HOOK_NAME);
            // After Ctrl-C the JVM exits with this status once the cleanup above is done.
            stop.close(status);
        }
    }

    private static int run(AsyncwatchConfig config, boolean keepRunning, Path dataDir, PrintStream out,
                           PrintStream err, CtrlC stop) {
        long wallStart = System.nanoTime();
        DemoBroker broker = null;
        AlertWatcher watcher = null;
        KafkaStreams streams = null;
        io.asyncwatch.dashboard.Dashboard dashboard = null;
        try {
            broker = DemoBroker.start(config, dataDir, "demo", err);
            AsyncwatchConfig cfg = minutelyStandup(broker.config());
            TopicSetup topics = TopicSetup.create(cfg);

            Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(80, ChronoUnit.MINUTES);
            Plan plan = TrafficGenerator.demoPlan(start.toEpochMilli(), SEED);
            // A kept data directory may hold an earlier run's application, whose stream time is ahead of this
            // run's traffic; a fresh application id per run keeps every run independent.
            String applicationId = dataDir == null ? "asyncwatch-demo"
                    : "asyncwatch-demo-" + System.currentTimeMillis();
            if (dataDir != null) {
                // The kept directory may hold earlier runs' input: this run's application starts after it.
                topics.startAtEnd(applicationId);
            }
            List<ExpectedEpisode> expected = plan.expectedEpisodes();
            watcher = AlertWatcher.start(cfg, topics, expected, out);

            ErrorTracker errors = new ErrorTracker();
            streams = new KafkaStreams(AsyncwatchTopology.build(cfg), broker.streamsProperties(applicationId));
            errors.attach(streams, err);
            streams.start();
            err.println("demo: asyncwatch started (application.id " + applicationId + ", exactly_once_v2)");
            dashboard = io.asyncwatch.dashboard.Dashboard.startIfEnabled(cfg, streams::metrics, null, err);

            TrafficProducer.Produced produced = produce(cfg, plan, stop, err);
            if (stop.requested()) {
                err.println("demo: interrupted");
                return keepRunning ? 0 : 1;
            }
            err.println("demo: waiting for " + (expected.isEmpty() ? "nothing" : expected) + " to resolve");

            long deadline = System.nanoTime() + ALERT_DEADLINE.toNanos();
            while (!watcher.awaitExpected(200)) {
                if (stop.requested()) {
                    err.println("demo: interrupted");
                    return keepRunning ? 0 : 1;
                }
                if (errors.failed()) {
                    err.println("demo: asyncwatch stopped with an error: " + errors.describe());
                    return 1;
                }
                if (watcher.failure() != null) {
                    err.println("demo: reading the alerts topic failed: " + watcher.failure());
                    return 1;
                }
                if (System.nanoTime() > deadline) {
                    out.println();
                    out.println("demo: FAILED: no RESOLVED alert for " + watcher.outstanding() + " within "
                            + ALERT_DEADLINE.toSeconds() + " s after the traffic was produced ("
                            + watcher.alertCount() + " alerts seen: " + watcher.tally() + ")");
                    return 1;
                }
            }
            summary(plan, produced, expected, watcher, broker, wallStart, out);
            if (dashboard != null) {
                out.println("  dashboard        " + dashboard.url() + (keepRunning ? ""
                        : " (until the demo ends: --keep-running keeps it up)"));
            }
            if (!printStandup(cfg, plan, stop, out, err)) {
                return 1;
            }

            if (keepRunning) {
                err.println("demo: still running; broker at " + broker.bootstrapServers() + ", input topics "
                        + topics.inputTopics() + "; new alerts are printed as they arrive. Ctrl-C stops.");
                while (!stop.await(500)) {
                    if (errors.failed()) {
                        err.println("demo: asyncwatch stopped with an error: " + errors.describe());
                        return 1;
                    }
                }
                err.println("demo: stopping");
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("demo: interrupted");
            return 1;
        } finally {
            // Streams and clients before the broker; the broker closes before deleting its directory.
            if (dashboard != null) {
                dashboard.close();
            }
            if (streams != null) {
                streams.close(CLOSE_TIMEOUT);
            }
            if (watcher != null) {
                watcher.close();
            }
            if (broker != null) {
                broker.close();
            }
        }
    }

    /**
     * The demo's 75 minutes are less than the standup's hour: a rolling summary every minute of event time (one-minute
     * buckets), so the one printed at the end covers every incident of the plan.
     */
    static AsyncwatchConfig minutelyStandup(AsyncwatchConfig cfg) {
        StandupSettings s = cfg.settings(StandupSettings.SPEC);
        // Settle of 2 min: past the slowest detector's window, grace and horizon (causality: 1 + 0.5 + 1 min).
        return cfg.withSettings(StandupSettings.SPEC, s.withRolling(60_000, 60_000, 120_000));
    }

    /**
     * Waits for a standup summary that covers the plan up to its last quiet minutes (after the traffic, event time moves
     * on with the wall clock, so the settle time of the last minutes is still to pass when the episodes have resolved).
     */
    private static boolean printStandup(AsyncwatchConfig cfg, Plan plan, CtrlC stop, PrintStream out,
                                        PrintStream err) throws InterruptedException {
        if (!cfg.settings(StandupSettings.SPEC).enabled()) {
            return true;
        }
        long end = plan.startTime() + plan.minutes() * 60_000L - STANDUP_TAIL_MS;
        long deadline = System.nanoTime() + STANDUP_DEADLINE.toNanos();
        while (System.nanoTime() < deadline && !stop.requested()) {
            Optional<StandupSummary> s = StandupCommand.fromCluster(cfg, StandupSummary.StandupKind.ROLLING, err);
            if (s.isPresent() && s.get().periodEnd() >= end) {
                out.println();
                out.println("standup (the latest summary on " + cfg.topics().standup() + "; also: ./asyncwatch standup"
                        + " --recording FILE, --format markdown|json)");
                out.println();
                out.print(StandupFormat.format(s.get(), StandupFormat.Style.TEXT));
                out.flush();
                return true;
            }
            Thread.sleep(1_000);
        }
        if (!stop.requested()) {
            out.println("demo: FAILED: no standup summary covering the traffic on " + cfg.topics().standup()
                    + " within " + STANDUP_DEADLINE.toSeconds() + " s");
        }
        return stop.requested();
    }

    /** Produces the whole plan, reporting every 15 minutes of event time; stops early on Ctrl-C. */
    private static TrafficProducer.Produced produce(AsyncwatchConfig cfg, Plan plan, CtrlC stop, PrintStream err) {
        long started = System.nanoTime();
        TrafficProducer.Produced produced = new TrafficProducer(cfg).produce(TrafficGenerator.events(plan),
                Long.MAX_VALUE, new EventTimeProgress(plan, stop, err));
        err.printf("demo: produced %,d events (%s; %d min of event time) in %.1f s%n", produced.total(),
                produced.describe(), plan.minutes(), (System.nanoTime() - started) / 1e9);
        return produced;
    }

    /** A progress line every 15 minutes of event time; Ctrl-C is looked at there too. */
    private static final class EventTimeProgress implements TrafficProducer.Progress {
        private final Plan plan;
        private final CtrlC stop;
        private final PrintStream err;
        private long nextReport;

        EventTimeProgress(Plan plan, CtrlC stop, PrintStream err) {
            this.plan = plan;
            this.stop = stop;
            this.err = err;
            this.nextReport = plan.startTime() + REPORT_EVERY_MINUTES * 60_000L;
        }

        @Override
        public boolean beforeSend(long sent, Generated next) {
            if (next.timestamp() < nextReport) {
                return true;
            }
            err.printf("demo: produced %,d events, event time %s (minute %d of %d)%n", sent,
                    HHMM.format(Instant.ofEpochMilli(nextReport)), (nextReport - plan.startTime()) / 60_000,
                    plan.minutes());
            nextReport += REPORT_EVERY_MINUTES * 60_000L;
            return !stop.requested();
        }
    }

    private static void summary(Plan plan, TrafficProducer.Produced produced, List<ExpectedEpisode> expected,
                                AlertWatcher watcher, DemoBroker broker, long wallStart, PrintStream out) {
        long wallNanos = System.nanoTime() - wallStart;
        long end = plan.startTime() + plan.minutes() * 60_000L;
        int nodes = plan.clusters().stream().mapToInt(c -> c.nodes().size()).sum();
        out.println();
        out.println("demo summary");
        out.printf("  events produced  %,d (%s) from %d services and %d nodes%n", produced.total(),
                produced.describe(), plan.services().size(), nodes);
        out.printf("  event time       %s to %s UTC (%d min%s)%n",
                TIME.format(Instant.ofEpochMilli(plan.startTime())), HHMM.format(Instant.ofEpochMilli(end)),
                plan.minutes(), plan.storms().isEmpty() ? "" : "; storm on " + plan.storms().get(0).service()
                        + " from " + HHMM.format(Instant.ofEpochMilli(plan.startTime()
                        + plan.storms().get(0).startMinute() * 60_000L)));
        out.printf("  resolved         %s%n", expected.isEmpty() ? "nothing expected" : expected);
        out.printf("  fired            %s%n", watcher.fired());
        out.printf("  alerts           %d (%s)%n", watcher.alertCount(), watcher.tally());
        out.printf("  dead letters     %d%n", watcher.deadLetters());
        out.printf("  wall time        %.1f s (broker start %.1f s)%n", wallNanos / 1e9, broker.startSeconds());
        out.flush();
    }
}
