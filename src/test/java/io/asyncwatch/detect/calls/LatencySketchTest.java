package io.asyncwatch.detect.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencySketchTest {

    private static double exact(double[] sorted, double q) {
        // The rank DDSketch targets: the value at index floor(q * (n - 1)).
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    @Test
    void quantilesAreWithinOnePercentOfTheTrueValueOnAHeavyTail() {
        Random r = new Random(7);
        double[] values = new double[20_000];
        LatencySketch s = new LatencySketch();
        for (int i = 0; i < values.length; i++) {
            // Log-normal body with a 2 % tail of multi-second calls.
            values[i] = i % 50 == 0 ? 2000 + r.nextDouble() * 3000 : Math.exp(3 + r.nextGaussian() * 0.4);
            s.add(values[i]);
        }
        Arrays.sort(values);
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            double want = exact(values, q);
            double got = s.quantile(q);
            assertTrue(Math.abs(got - want) <= want * LatencySketch.RELATIVE_ACCURACY + 1e-9,
                    "q=" + q + ": " + got + " vs " + want);
        }
        assertEquals(values.length, s.count());
    }

    @Test
    void mergingPartialsInAnyOrderGivesTheSameSketchAsOneAggregate() {
        Random r = new Random(11);
        List<LatencySketch> parts = new ArrayList<>();
        LatencySketch whole = new LatencySketch();
        for (int p = 0; p < 5; p++) {
            LatencySketch part = new LatencySketch();
            for (int i = 0; i < 1000; i++) {
                double v = r.nextDouble() * (p + 1) * 100;
                part.add(v);
                whole.add(v);
            }
            parts.add(LatencySketch.fromBytes(part.toBytes()));
        }
        LatencySketch forward = new LatencySketch();
        parts.forEach(forward::merge);
        LatencySketch backward = new LatencySketch();
        for (int i = parts.size() - 1; i >= 0; i--) {
            backward.merge(parts.get(i));
        }
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            assertEquals(whole.quantile(q), forward.quantile(q), "q=" + q);
            assertEquals(whole.quantile(q), backward.quantile(q), "q=" + q);
        }
        assertEquals(0, new LatencySketch().quantile(0.99), "an empty sketch has no latency");
    }
}
