package io.asyncwatch.detect.causality;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * One cause and one effect: is the effect stamped before its cause (by more than the tolerance), and do their
 * logical clocks say it came after? No Kafka types.
 */
public final class CausalJudge {

    public enum Rule {
        /** The effect's sender timestamp is before the cause's (the seeds' "time travel bug"). */
        TIMESTAMP,
        /** The effect's Lamport clock is not greater than its cause's. */
        LAMPORT,
        /** The effect's vector clock is not strictly after its cause's. */
        VECTOR
    }

    /** What one side of a link says about itself; {@code lamport} < 0 and an empty clock mean absent. */
    public record Stamp(long timestamp, long lamport, Map<String, Long> vectorClock) {
    }

    /**
     * @param broken the rules the pair breaks (empty: consistent)
     * @param gapMs  how far the effect is stamped before its cause (cause - effect, ms; negative when after): a
     *               lower bound on how far the effect's node's clock is behind the cause's
     */
    public record Verdict(Set<Rule> broken, long gapMs) {
        public boolean violation() {
            return !broken.isEmpty();
        }
    }

    private CausalJudge() {
    }

    public static Verdict judge(Stamp cause, Stamp effect, long toleranceMs) {
        EnumSet<Rule> broken = EnumSet.noneOf(Rule.class);
        long gap = cause.timestamp() - effect.timestamp();
        if (gap > toleranceMs) {
            broken.add(Rule.TIMESTAMP);
        }
        if (cause.lamport() >= 0 && effect.lamport() >= 0
                && !LogicalClocks.lamportRespectsCause(cause.lamport(), effect.lamport())) {
            broken.add(Rule.LAMPORT);
        }
        if (LogicalClocks.present(cause.vectorClock()) && LogicalClocks.present(effect.vectorClock())
                && !LogicalClocks.vectorRespectsCause(cause.vectorClock(), effect.vectorClock())) {
            broken.add(Rule.VECTOR);
        }
        return new Verdict(Set.copyOf(broken), gap);
    }
}
