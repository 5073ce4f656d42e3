package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;

/**
 * What the link tasks tell the window stage: one violating cause/effect pair, a node's counts for a window (effects
 * checked, effects whose cause never arrived), or the task's clock tick.
 *
 * @param rules   bit set of {@link CausalJudge.Rule} ordinals broken (violations)
 * @param time    effective event time of the effect (violations) or the window start (counts)
 * @param samples event ids of effects that missed their cause (counts)
 */
record CausalOutcome(int kind, String causeNode, String effectNode, String causeId, String effectId, String via,
                     int rules, long gapMs, long causeTimestamp, long effectTimestamp, long time, long effects,
                     long missing, List<String> samples, String source, long tick) {

    static final int TICK = 0;
    static final int VIOLATION = 1;
    static final int COUNTS = 2;

    static CausalOutcome tick(String source, long time) {
        return new CausalOutcome(TICK, null, null, null, null, null, 0, 0, 0, 0, 0, 0, 0, List.of(), source, time);
    }

    static CausalOutcome violation(CausalFact cause, CausalFact effect, CausalJudge.Verdict v) {
        int rules = 0;
        for (CausalJudge.Rule r : v.broken()) {
            rules |= 1 << r.ordinal();
        }
        return new CausalOutcome(VIOLATION, cause.node(), effect.node(), cause.eventId(), effect.eventId(),
                effect.via(), rules, v.gapMs(), cause.timestamp(), effect.timestamp(), effect.time(), 0, 0, List.of(),
                null, 0);
    }

    static CausalOutcome counts(String node, long windowStart, long effects, long missing, List<String> samples) {
        return new CausalOutcome(COUNTS, null, node, null, null, null, 0, 0, 0, 0, windowStart, effects, missing,
                samples, null, 0);
    }

    boolean isTick() {
        return kind == TICK;
    }

    boolean broke(CausalJudge.Rule rule) {
        return (rules & (1 << rule.ordinal())) != 0;
    }

    private static final int VERSION = 1;
    static final Serde<CausalOutcome> SERDE = Bin.serde(CausalOutcome::toBytes, CausalOutcome::fromBytes);

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).u8(kind).str(causeNode).str(effectNode).str(causeId).str(effectId).str(via)
                .varlong(rules).varlong(gapMs).varlong(causeTimestamp).varlong(effectTimestamp).varlong(time)
                .varlong(effects).varlong(missing).strings(samples).str(source).varlong(tick).bytes();
    }

    static CausalOutcome fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "causal outcome");
        return new CausalOutcome(r.u8(), r.str(), r.str(), r.str(), r.str(), r.str(), r.varint(), r.varlong(),
                r.varlong(), r.varlong(), r.varlong(), r.varlong(), r.varlong(), r.strings(), r.str(), r.varlong());
    }
}
