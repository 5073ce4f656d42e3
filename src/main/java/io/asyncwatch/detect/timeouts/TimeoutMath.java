package io.asyncwatch.detect.timeouts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

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

    /** Chains deeper than this add nothing more to a need (and a cycle adds its closing call's timeout once). */
    public static final int MAX_DEPTH = 8;

    /** One call of a chain: to {@code destination}, given up to {@code timeoutMs}. */
    public record Hop(String destination, long timeoutMs) {
    }

    /** What a callee needs by the configured timeouts, and its heaviest chain of calls below it. */
    public record Need(long ms, List<Hop> chain) {
    }

    /**
     * What a caller must allow {@code callee} by the configured timeouts alone, added up as the traced judge does
     * (the seeds' A -> B -> C -> D at 1 s each: A must allow B 2 s): the callee's calls one after another, each up
     * to its timeout plus what its own callee needs, down the chain. {@code edges} gives a service's configured
     * timeout per destination (in a stable order); a service it knows nothing of needs nothing.
     */
    public static Need configuredNeed(String callee, Function<String, Map<String, Long>> edges) {
        return need(callee, edges, new HashMap<>(), new HashSet<>(), 0, new int[] {MAX_VISITS}).need();
    }

    /** Services expanded per question at most: a dense mesh of calls would otherwise take exponential time. */
    static final int MAX_VISITS = 10_000;

    /** A need, and whether a cycle, the depth or the visit budget cut it short (then it is not remembered). */
    private record Found(Need need, boolean cut) {
    }

    private static Found need(String service, Function<String, Map<String, Long>> edges, Map<String, Need> memo,
                              Set<String> path, int depth, int[] visits) {
        Need known = memo.get(service);
        if (known != null) {
            return new Found(known, false);
        }
        if (depth >= MAX_DEPTH || visits[0] <= 0 || !path.add(service)) {
            return new Found(new Need(0, List.of()), true);
        }
        visits[0]--;
        long sum = 0;
        long heaviest = -1;
        boolean cut = false;
        List<Hop> chain = List.of();
        for (Map.Entry<String, Long> e : edges.apply(service).entrySet()) {
            Found below = need(e.getKey(), edges, memo, path, depth + 1, visits);
            cut |= below.cut();
            long leg = saturated(e.getValue() + below.need().ms());
            sum = saturated(sum + leg);
            if (leg > heaviest) {
                heaviest = leg;
                List<Hop> c = new ArrayList<>(below.need().chain().size() + 1);
                c.add(new Hop(e.getKey(), e.getValue()));
                c.addAll(below.need().chain());
                chain = List.copyOf(c);
            }
        }
        path.remove(service);
        Need n = new Need(sum, chain);
        if (!cut) {
            // Only a need found whole stands for its service wherever it is asked again.
            memo.put(service, n);
        }
        return new Found(n, cut);
    }

    /** Timeouts are at most a day each: a sum past a year is as good as infinite, and must not wrap. */
    private static long saturated(long ms) {
        return ms < 0 || ms > 365L * 86_400_000L ? 365L * 86_400_000L : ms;
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
