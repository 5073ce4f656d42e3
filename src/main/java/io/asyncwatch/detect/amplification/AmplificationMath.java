package io.asyncwatch.detect.amplification;

import io.asyncwatch.model.Severity;
import java.util.List;

/** Fan-out per user intent, its factor over the layer's baseline, and whether it compounds. No Kafka types. */
public final class AmplificationMath {

    private AmplificationMath() {
    }

    /** Attempts at a layer per user intent entering the entry layer; NaN without intents. */
    public static double fanOut(long attempts, long intents) {
        return intents == 0 ? Double.NaN : (double) attempts / intents;
    }

    /** Fan-out now over the usual fan-out; NaN when either is unknown. */
    public static double factor(double fanOut, double baselineFanOut) {
        return Double.isNaN(fanOut) || Double.isNaN(baselineFanOut) || baselineFanOut <= 0 ? Double.NaN
                : fanOut / baselineFanOut;
    }

    /** Attempts now over attempts {@code lag} windows earlier; NaN when there were none then. */
    public static double growth(long now, long earlier) {
        return earlier <= 0 ? Double.NaN : (double) now / earlier;
    }

    /**
     * The death spiral: factors from the entry layer down (NaN: not judged). It compounds when at least two layers
     * were judged and each is at least the one above it; the deepest judged layer's factor decides the severity.
     *
     * @return null when it does not compound or stays below the alert factor
     */
    public static Severity severity(List<Double> factorsTopDown, double alertFactor, double pageFactor) {
        List<Double> judged = factorsTopDown.stream().filter(f -> !Double.isNaN(f)).toList();
        if (judged.size() < 2) {
            return null;
        }
        for (int i = 1; i < judged.size(); i++) {
            if (judged.get(i) < judged.get(i - 1)) {
                return null;
            }
        }
        double deepest = judged.get(judged.size() - 1);
        return deepest >= pageFactor ? Severity.PAGE : deepest >= alertFactor ? Severity.ALERT : null;
    }
}
