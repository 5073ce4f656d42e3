package io.asyncwatch.detect.retrystorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.testing.DetectorHarness;
import io.asyncwatch.testing.Requests;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Service names come from producers: a flood of new ones is capped and reported; quiet services are forgotten. */
class StateBoundsTest {

    private static final long T0 = Requests.T0;
    private static final long M = Requests.MINUTE;

    private static Set<String> servicesWithMetrics(List<Metric> metrics) {
        Set<String> out = new TreeSet<>();
        metrics.stream().filter(m -> m.metric().equals(RetryStorm.METRIC))
                .forEach(m -> out.add(m.labels().get("service")));
        return out;
    }

    @Test
    void aFloodOfDistinctServiceNamesIsCappedAndTheOverflowReported() {
        Requests r = new Requests();
        List<RequestEvent> events = new ArrayList<>();
        for (int s = 0; s < 40; s++) {
            events.addAll(r.minute("svc-" + s, "service", T0, 30, 0));
        }
        events.sort(Comparator.comparingLong(RequestEvent::timestamp));
        try (DetectorHarness h = new DetectorHarness(new RetryStorm(), Map.of("asyncwatch.retry-storm.max-services",
                "5"))) {
            h.send(events);
            h.silence();
            List<Metric> metrics = h.metrics();
            assertEquals(5, servicesWithMetrics(metrics).size(),
                    "five services tracked: " + servicesWithMetrics(metrics));
            double overflow = metrics.stream().filter(m -> m.metric().equals("state_overflow"))
                    .mapToDouble(m -> m.values().get("overflow")).sum();
            assertTrue(overflow >= 35, "the 35 others are counted as overflow, got " + overflow);
            assertTrue(metrics.stream().filter(m -> m.metric().equals("state_overflow"))
                    .allMatch(m -> m.labels().equals(Map.of("detector", "retry-storm"))));
        }
    }

    @Test
    void aServiceQuietForLongerThanItsBaselineIsForgottenAndFreesItsSlot() {
        Requests r = new Requests();
        List<RequestEvent> events = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            events.addAll(r.minute("svc-old", "service", T0 + m * M, 30, 0));
        }
        // One service per task allowed, a 30-minute baseline. The old one goes quiet; after its baseline span has
        // passed its last window, a new one arrives.
        for (int m = 40; m < 43; m++) {
            events.addAll(r.minute("svc-new", "service", T0 + m * M, 30, 0));
        }
        try (DetectorHarness h = new DetectorHarness(new RetryStorm(), Map.of("asyncwatch.retry-storm.max-services",
                "1",
                "asyncwatch.retry-storm.baseline-ms", "1800000"))) {
            h.send(events);
            h.silence();
            List<Metric> metrics = h.metrics();
            assertEquals(Set.of("svc-old", "svc-new"), servicesWithMetrics(metrics));
            assertTrue(metrics.stream().noneMatch(m -> m.metric().equals("state_overflow")), "no overflow: " + metrics);
        }
    }
}
