package io.asyncwatch.detect.timeouts;

import java.util.Collection;

/** The seeds' timeout arithmetic: effectiveness grades, the ladder's formula, and budgets. No Kafka types. */
public final class TimeoutMath {

    /** The seeds' grid: 95 % EXCELLENT, 80-85 % GOOD, 60 % BAD, 40 % TERRIBLE. */
    public enum Grade { EXCELLENT, GOOD, BAD, TERRIBLE }

    public enum Action {
        /** Configured below recommended: "you're creating cascades". */
        FIX,
        /** Configured above review-factor x recommended: "you're wasting resources". */
        REVIEW,
        OK
    }

    public record Rung(long configuredMs, double p99Ms, long downstreamMs, long bufferMs, double recommendedMs,
                       Action action) {
    }

    private TimeoutMath() {
    }

    public static Grade grade(double successShare, double warnShare) {
        if (successShare >= 0.9) {
            return Grade.EXCELLENT;
        }
        if (successShare >= warnShare) {
            return Grade.GOOD;
        }
        return successShare >= 0.5 ? Grade.BAD : Grade.TERRIBLE;
    }

    /** Optimal_Timeout = p99 x 2 + downstream_timeout + buffer, and what to do about the configured one. */
    public static Rung rung(long configuredMs, double p99Ms, long downstreamMs, long bufferMs, double reviewFactor) {
        double recommended = 2 * p99Ms + downstreamMs + bufferMs;
        Action action = configuredMs < recommended ? Action.FIX
                : configuredMs > reviewFactor * recommended ? Action.REVIEW : Action.OK;
        return new Rung(configuredMs, p99Ms, downstreamMs, bufferMs, recommended, action);
    }

    /** The playbook's emergency budget: total = sum(downstream) + 50 %. */
    public static long budget(Collection<Long> downstreamMs) {
        long sum = downstreamMs.stream().mapToLong(Long::longValue).sum();
        return sum + sum / 2;
    }

    /** Sequential downstream calls, each waited for up to its timeout: their sum is what the caller must allow. */
    public static long sequential(Collection<Long> downstreamMs) {
        return downstreamMs.stream().mapToLong(Long::longValue).sum();
    }
}
