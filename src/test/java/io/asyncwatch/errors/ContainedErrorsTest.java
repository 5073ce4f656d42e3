package io.asyncwatch.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.detect.retrystorm.RetryStormSettings;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.Requests;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Named;
import org.junit.jupiter.api.Test;

/** An exception inside one detector for one record is a dead letter with the reason, not a stopped application. */
class ContainedErrorsTest {

    /** A detector with a bug: it throws on one event, and otherwise reports every event as a metric point. */
    private static final class Buggy implements Detector {
        @Override
        public String name() {
            return "buggy";
        }

        @Override
        public SettingsSpec<?> settings() {
            return RetryStormSettings.SPEC;
        }

        @Override
        public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
            return Map.of();
        }

        @Override
        public long settleMs(AsyncwatchConfig config) {
            return 0;
        }

        @Override
        public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
            var metrics = inputs.requests().map((k, a) -> {
                if (a.event().eventId().endsWith("0000025")) {
                    throw new IllegalStateException("bug on " + a.event().eventId());
                }
                Metric m = new Metric("seen", Map.of("event", a.event().eventId()), 0, 0, Map.of(), Map.of());
                return KeyValue.pair(m.seriesKey(), m);
            }, Named.as("buggy-map"));
            return new Outputs(inputs.requests().filter((k, v) -> false, Named.as("buggy-none"))
                    .mapValues(v -> (Finding) null, Named.as("buggy-findings")), metrics, null);
        }
    }

    @Test
    void theRecordIsDeadLetteredWithTheProcessorAndTheExceptionAndProcessingGoesOn() {
        Requests r = new Requests();
        List<RequestEvent> events = r.minute("svc-a", "service", Requests.T0, 30, 0);
        try (DetectorHarness h = new DetectorHarness(new Buggy(), Map.of())) {
            h.send(events);
            h.silence();
            List<DeadLetter> dead = h.deadLetters();
            assertEquals(1, dead.size(), dead.toString());
            DeadLetter d = dead.get(0);
            assertTrue(d.reason().contains("buggy-map") && d.reason().contains("bug on svc-a-0000025"), d.reason());
            assertEquals("asyncwatch.requests", d.sourceTopic());
            assertEquals(25L, d.sourceOffset(), "the coordinates of the input record");
            assertTrue(d.valueText().contains("svc-a-0000025"), "and its original bytes");
            assertEquals(29, h.metrics().size(), "every other event went through");
        }
    }
}
