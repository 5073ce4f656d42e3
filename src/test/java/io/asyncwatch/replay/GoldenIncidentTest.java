package io.asyncwatch.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recorded incidents replayed through the same code path as {@code asyncwatch replay}. */
class GoldenIncidentTest {

    private static String resource(String path) throws IOException {
        try (InputStream in = GoldenIncidentTest.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IOException(path + " not found");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String replay(String incident) throws IOException {
        StringWriter out = new StringWriter();
        try (InputStream in = GoldenIncidentTest.class.getClassLoader()
                .getResourceAsStream("incidents/" + incident + "/input.jsonl");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            Replayer.Summary summary = Replayer.replay(AsyncwatchConfig.fromMap(Map.of()), reader, out);
            assertTrue(summary.records() > 0);
            if (incident.equals("checkout-retry-storm")) {
                assertEquals(3, summary.deadLetters(), "garbage, a wrong type and a late event: " + summary);
            } else {
                assertEquals(0, summary.deadLetters(), "generated traffic, nothing to reject: " + summary);
            }
        }
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"checkout-retry-storm", "zombie-writes", "storm-and-duplicates", "death-spiral",
            "time-travel", "reversed-orders", "concurrent-writes", "false-death-split-brain", "clock-drift",
            "logical-clock-jump"})
    void replayProducesTheRecordedAlertsByteForByte(String incident) throws IOException {
        String expected = resource("incidents/" + incident + "/expected-alerts.jsonl");
        assertTrue(expected.contains("\"status\":\"FIRING\"") && expected.contains("\"status\":\"RESOLVED\""));
        String first = replay(incident);
        assertEquals(expected, first);
        assertEquals(first, replay(incident), "the same recording gives the same bytes every time");
    }
}
