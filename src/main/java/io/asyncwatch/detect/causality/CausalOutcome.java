package io.asyncwatch.detect.causality;

import io.asyncwatch.serde.Bin;
import org.apache.kafka.common.serialization.Serde;

/**
 * What the input tasks tell the window stage: one violating cause/effect pair, a node's counts for a window (effects
 * it ingested and looked up, effects whose cause it found), or the task's clock tick.
 *
 * @param rules bit set of {@link CausalJudge.Rule} ordinals broken (violations)
 * @param time  effective event time of the effect (violations) or the window start (counts)
 * @param sent  effects of {@code effectNode} ingested by this task (counts)
 * @param found effects of {@code effectNode} whose cause this task holds and judged (counts)
 * @param entity  the entity of a business-order violation ({@code via}: its rule, "order>pay")
 * @param verdict a business-order violation's kind and method: "REVERSED TIMESTAMPS"
 */
record CausalOutcome(int kind, String causeNode, String effectNode, String causeId, String effectId, String via,
                     int rules, long gapMs, long causeTimestamp, long effectTimestamp, long time, long sent,
                     long found, String source, long tick, String entity, String verdict) {

    static final int TICK = 0;
    static final int VIOLATION = 1;
    static final int COUNTS = 2;
    static final int ORDER = 3;

    static CausalOutcome tick(String source, long time) {
        return new CausalOutcome(TICK, null, null, null, null, null, 0, 0, 0, 0, 0, 0, 0, source, time, null, null);
    }

    static CausalOutcome violation(CausalFact cause, CausalFact effect, CausalJudge.Verdict v) {
        return violation(cause.node(), effect.node(), cause.eventId(), effect.eventId(), effect.via(), v,
                cause.timestamp(), effect.timestamp(), effect.time());
    }

    static CausalOutcome violation(String causeNode, String effectNode, String causeId, String effectId, String via,
                                   CausalJudge.Verdict v, long causeTimestamp, long effectTimestamp, long time) {
        int rules = 0;
        for (CausalJudge.Rule r : v.broken()) {
            rules |= 1 << r.ordinal();
        }
        return new CausalOutcome(VIOLATION, causeNode, effectNode, causeId, effectId, via, rules, v.gapMs(),
                causeTimestamp, effectTimestamp, time, 0, 0, null, 0, null, null);
    }

    static CausalOutcome counts(String node, long windowStart, long sent, long found) {
        return new CausalOutcome(COUNTS, null, node, null, null, null, 0, 0, 0, 0, windowStart, sent, found, null, 0,
                null, null);
    }

    static CausalOutcome order(String entity, BusinessOrder.Violation v, long time) {
        return new CausalOutcome(ORDER, v.first().node(), v.second().node(), v.first().eventId(),
                v.second().eventId(), v.rule(), 0, v.gapMs(), v.first().timestamp(), v.second().timestamp(), time, 0, 0,
                null, 0, entity, v.kind() + " " + v.method());
    }

    boolean isTick() {
        return kind == TICK;
    }

    boolean broke(CausalJudge.Rule rule) {
        return (rules & (1 << rule.ordinal())) != 0;
    }

    private static final int VERSION = 2;
    static final Serde<CausalOutcome> SERDE = Bin.serde(CausalOutcome::toBytes, CausalOutcome::fromBytes);

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).u8(kind).str(causeNode).str(effectNode).str(causeId).str(effectId).str(via)
                .varlong(rules).varlong(gapMs).varlong(causeTimestamp).varlong(effectTimestamp).varlong(time)
                .varlong(sent).varlong(found).str(source).varlong(tick).str(entity).str(verdict).bytes();
    }

    static CausalOutcome fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "causal outcome");
        return new CausalOutcome(r.u8(), r.str(), r.str(), r.str(), r.str(), r.str(), r.varint(), r.varlong(),
                r.varlong(), r.varlong(), r.varlong(), r.varlong(), r.varlong(), r.str(), r.varlong(), r.str(),
                r.str());
    }
}
