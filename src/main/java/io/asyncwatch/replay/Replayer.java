package io.asyncwatch.replay;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.model.Alert;
import io.asyncwatch.model.DeadLetter;
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

    /** What a replay did, for the summary on stderr. */
    public record Summary(long lines, long records, long alerts, long deadLetters, List<String> skippedLines,
                          Map<String, Long> deadLetterReasons) {
    }

    private static final int MAX_SKIPPED_REPORTED = 20;
    private static final int DRAIN_EVERY = 1_000;

    private Replayer() {
    }

    public static Summary replay(AsyncwatchConfig config, BufferedReader in, Writer alertsOut) throws IOException {
        long lines = 0;
        long records = 0;
        long alerts = 0;
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
                records++;
                alerts += collect(engine, alertsOut, reasons);
                if (records % DRAIN_EVERY == 0) {
                    engine.drainInternal();
                }
            }
            engine.silence();
            alerts += collect(engine, alertsOut, reasons);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        alertsOut.flush();
        long deadLetters = reasons.values().stream().mapToLong(Long::longValue).sum();
        return new Summary(lines, records, alerts, deadLetters, skipped, reasons);
    }

    /** Writes the alerts produced so far and counts the dead letters; returns the number of alerts. */
    private static long collect(OfflineEngine engine, Writer alertsOut, Map<String, Long> reasons)
            throws IOException {
        long n = 0;
        for (Alert a : engine.readAlerts()) {
            alertsOut.write(Json.writeString(a));
            alertsOut.write('\n');
            n++;
        }
        for (DeadLetter d : engine.readDeadLetters()) {
            reasons.merge(reasonKind(d.reason()), 1L, Long::sum);
        }
        return n;
    }

    /** "requests: field 'attempt': wrong type (expected integer)" -> "requests: field 'attempt'". */
    private static String reasonKind(String reason) {
        int second = reason.indexOf(':', reason.indexOf(':') + 1);
        return second < 0 ? reason : reason.substring(0, second);
    }
}
