package io.asyncwatch.replay;

import io.asyncwatch.demo.TrafficGenerator;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * Writes the input of the checkout-retry-storm golden incident: 25 minutes of a checkout service and its
 * database, a storm from minute 15, with what real recordings contain too: records out of order within the grace
 * period, one far too late, a producer sending garbage and one sending a wrong type.
 * Run once by hand ({@code main}); the test only reads the committed files.
 */
public final class GoldenIncidentWriter {

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/incidents/checkout-retry-storm/input.jsonl");
        long start = 1_767_258_000_000L; // 2026-01-01T09:00:00Z
        TrafficGenerator.Plan plan = new TrafficGenerator.Plan(start, 25, List.of(
                new TrafficGenerator.Service("svc-checkout", "service", "db-orders", 120, 0.02),
                new TrafficGenerator.Service("db-orders", "database", null, 80, 0.01)),
                List.of(new TrafficGenerator.Storm("svc-checkout", 15, List.of(4.0, 12.0, 12.0, 12.0, 6.0))), 2026);
        List<String> lines = new ArrayList<>();
        for (Iterator<TrafficGenerator.Generated> it = TrafficGenerator.events(plan); it.hasNext(); ) {
            TrafficGenerator.Generated g = it.next();
            lines.add(Recording.line(g.topic(), g.timestamp(), g.key(), g.event()));
        }
        Random random = new Random(5);
        // Out of order within grace: shuffle runs of 20 records (a few seconds of traffic).
        for (int from = 0; from + 20 <= lines.size(); from += 20) {
            Collections.shuffle(lines.subList(from, from + 20), random);
        }
        int i = lines.size() / 2;
        lines.add(i, "{\"topic\":\"requests\",\"timestamp\":" + (start + 12 * 60_000)
                + ",\"key\":\"svc-checkout\",\"value\":\"\\u0000\\u0001garbage from a broken producer\"}");
        lines.add(i + 1, "{\"topic\":\"requests\",\"timestamp\":" + (start + 12 * 60_000)
                + ",\"key\":\"svc-checkout\",\"value\":{\"eventId\":\"bad-1\",\"timestamp\":" + (start + 12 * 60_000)
                + ",\"service\":\"svc-checkout\",\"layer\":\"service\",\"attempt\":\"2\",\"status\":\"TIMEOUT\","
                + "\"latencyMs\":1000}}");
        // A retry stamped minute 2, appended at minute 13: far beyond grace.
        lines.add(i + 2, "{\"topic\":\"requests\",\"timestamp\":" + (start + 2 * 60_000)
                + ",\"key\":\"svc-checkout\",\"value\":{\"eventId\":\"late-1\",\"timestamp\":" + (start + 2 * 60_000)
                + ",\"service\":\"svc-checkout\",\"layer\":\"service\",\"attempt\":2,\"status\":\"TIMEOUT\","
                + "\"latencyMs\":1000.0}}");
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
        System.err.println("wrote " + lines.size() + " lines to " + out);
    }
}
