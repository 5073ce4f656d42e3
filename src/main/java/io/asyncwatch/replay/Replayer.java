package io.asyncwatch.replay;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.serde.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a recording through the production topology offline ({@link OfflineEngine}), in recording order, with
 * the recording's record timestamps as the wall clock and silence at its end. Everything the topology does is a
 * function of the input, so the same recording always yields byte-identical alerts.
 */
public final class Replayer {

    /**
     * What a replay did, for the summary on stderr.
     *
     * @param lastRecordTime the latest record timestamp of the recording ({@code Long.MIN_VALUE} without records)
     */
    public record Summary(long lines, long records, long alerts, long deadLetters, List<String> skippedLines,
                          Map<String, Long> deadLetterReasons, long lastRecordTime) {
    }

    /** What a replay hands out as it goes: alerts always; metric points and standup summaries to who wants them. */
    public interface Listener {
        void alert(Alert alert) throws IOException;

        /** Metric points are read (and handed to {@link #metric}) only when this says so. */
        default boolean wantsMetrics() {
            return false;
        }

        default void metric(Metric metric) {
        }

        default void standup(StandupSummary summary) {
        }
    }

    private static final int MAX_SKIPPED_REPORTED = 20;
    private static final int DRAIN_EVERY = 1_000;

    private Replayer() {
    }

    /** Replays {@code in}, writing the alerts to {@code alertsOut} as JSON Lines. */
    public static Summary replay(AsyncwatchConfig config, BufferedReader in, Writer alertsOut) throws IOException {
        Summary s = replay(config, in, a -> {
            alertsOut.write(Json.writeString(a));
            alertsOut.write('\n');
        });
        alertsOut.flush();
        return s;
    }

    public static Summary replay(AsyncwatchConfig config, BufferedReader in, Listener listener) throws IOException {
        long lines = 0;
        long records = 0;
        long[] alerts = {0};
        long last = Long.MIN_VALUE;
        List<String> skipped = new ArrayList<>();
        Map<String, Long> reasons = new TreeMap<>();
        try (OfflineEngine engine = new OfflineEngine(config)) {
            String line;
            while ((line = in.readLine()) != null) {
                lines++;
                if (line.isBlank()) {
                    continue;
                }
                Recording r;
                try {
                    r = Recording.parse(line);
                    Recording.resolveTopic(r.topic(), engine.config().topics());
                } catch (IllegalArgumentException e) {
                    if (skipped.size() < MAX_SKIPPED_REPORTED) {
                        skipped.add("line " + lines + ": " + e.getMessage());
                    }
                    continue;
                }
                engine.pipe(r.topic(), r.key(), r.value(), r.timestamp());
                last = Math.max(last, r.timestamp());
                records++;
                collect(engine, listener, reasons, alerts);
                if (records % DRAIN_EVERY == 0) {
                    collectMore(engine, listener);
                    engine.drainInternal();
                }
            }
            engine.silence();
            collect(engine, listener, reasons, alerts);
            collectMore(engine, listener);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        long deadLetters = reasons.values().stream().mapToLong(Long::longValue).sum();
        return new Summary(lines, records, alerts[0], deadLetters, skipped, reasons, last);
    }

    /** Hands over the alerts produced so far and counts the dead letters. */
    private static void collect(OfflineEngine engine, Listener listener, Map<String, Long> reasons, long[] alerts)
            throws IOException {
        for (Alert a : engine.readAlerts()) {
            listener.alert(a);
            alerts[0]++;
        }
        for (DeadLetter d : engine.readDeadLetters()) {
            reasons.merge(reasonKind(d.reason()), 1L, Long::sum);
        }
    }

    /** Metric points and standup summaries: read before the engine drains its topics. */
    private static void collectMore(OfflineEngine engine, Listener listener) {
        if (listener.wantsMetrics()) {
            engine.readMetrics().forEach(listener::metric);
        }
        engine.readStandups().forEach(listener::standup);
    }

    /** "requests: field 'attempt': wrong type (expected integer)" -> "requests: field 'attempt'". */
    private static String reasonKind(String reason) {
        int second = reason.indexOf(':', reason.indexOf(':') + 1);
        return second < 0 ? reason : reason.substring(0, second);
    }
}
