package io.asyncwatch.detect.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Counts pre-aggregated on the trace tasks and merged on the caller's task: any order, any grouping, one result. */
class CascadeCountsTest {

    private static final long T0 = 1_767_225_600_000L;

    private static CascadeHit hit(String traceId, String eventId, String layer, String kind, long timeoutMs,
                                  long neededMs) {
        return new CascadeHit("api-gateway", layer, "svc-user", traceId, eventId, kind, timeoutMs, neededMs, 0.0,
                "api-gateway -(" + timeoutMs + " ms)-> svc-user", T0, "cascade-timeout-traces:0");
    }

    private static String describe(CascadeCounts c) {
        return c.layer + " " + c.attempts + " " + c.configured + " " + c.observed + " " + c.worst.eventId() + " "
                + c.sampleTraces;
    }

    @Test
    void mergingPartialsInAnyOrderAndGroupingGivesWhatAddingEveryHitGives() {
        List<CascadeHit> hits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // Two attempts per trace (a retry): counted twice, sampled once.
            hits.add(hit("t" + (20 - i / 2), "e" + i, i % 4 == 0 ? "edge" : "gateway", i % 3 == 0 ? "OBSERVED" : "CONFIGURED",
                    1_000, 1_000 + (i % 5) * 500));
        }
        CascadeCounts all = new CascadeCounts();
        hits.forEach(all::add);
        assertEquals("edge 12 8 4 e4 [t15, t16, t17]", describe(all)); // e4 and e9 fall shortest: e4 is the smaller id

        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<CascadeHit> shuffled = new ArrayList<>(hits);
            Collections.shuffle(shuffled, random);
            List<CascadeCounts> partials = new ArrayList<>();
            for (int i = 0; i < shuffled.size(); ) {
                CascadeCounts p = new CascadeCounts();
                for (int n = 1 + random.nextInt(4); n > 0 && i < shuffled.size(); n--) {
                    p.add(shuffled.get(i++));
                }
                partials.add(p);
            }
            Collections.shuffle(partials, random);
            CascadeCounts merged = new CascadeCounts();
            partials.forEach(merged::merge);
            assertEquals(describe(all), describe(merged), "round " + round);
        }
    }

    @Test
    void partialsAndTicksCrossTheBrokerAndSingleHitsFromBeforeTheUpgradeAreRead() {
        CascadeCounts c = CascadeCounts.of(hit("t1", "e1", "gateway", "CONFIGURED", 1_000, 3_000));
        c.add(hit("t2", "e2", "gateway", "OBSERVED", 1_000, 500));
        CascadePartial p = new CascadePartial("api-gateway", "svc-user", T0, c, "cascade-timeout-traces:3");
        CascadePartial back = CascadePartial.fromBytes(p.toBytes());
        assertEquals("gateway 2 1 1 e1 [t1, t2]", describe(back.counts()));
        assertEquals(List.of("api-gateway", "svc-user", T0, "cascade-timeout-traces:3"),
                List.of(back.service(), back.destination(), back.time(), back.source()));
        CascadePartial tick = CascadePartial.fromBytes(CascadePartial.tick("cascade-timeout-traces:3", T0).toBytes());
        assertTrue(tick.isTick());
        assertNull(tick.counts());

        // Version 1: one hit per record, as still on the topic right after an upgrade.
        CascadeHit old = hit("t9", "e9", "gateway", "CONFIGURED", 1_000, 3_000);
        CascadePartial fromOld = CascadePartial.fromBytes(old.toBytes());
        assertEquals("gateway 1 1 0 e9 [t9]", describe(fromOld.counts()));
        assertEquals(T0, fromOld.time());
        byte[] oldTick = Bin.writer().u8(1).str(null).str(null).str(null).str(null).str(null).str(null).varlong(0)
                .varlong(0).f64(0).str(null).varlong(T0).str("cascade-timeout-traces:1").bytes();
        CascadePartial tickFromOld = CascadePartial.fromBytes(oldTick);
        assertTrue(tickFromOld.isTick());
        assertEquals(T0, tickFromOld.time());
    }
}
