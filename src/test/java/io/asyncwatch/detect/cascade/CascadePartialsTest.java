package io.asyncwatch.detect.cascade;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.traces.Span;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.WriteBackStore;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The trace task's hits wait for its next tick, and go out before that tick (so before the windows stage may close
 * their window); what waits is in the store at a commit, so a task initialised again after a crash sends it then.
 */
class CascadePartialsTest {

    private static final long T0 = 1_767_225_600_000L;
    private static final long WALL = 1_800_000_000_000L;
    private static final String SOURCE = "requests:0";

    private static Span span(String id, String parent, String service, String destination, long ts, long timeoutMs) {
        return new Span("trace-1", id, parent, "e-" + id, ts, service, "service", destination, timeoutMs, 50.0,
                "SUCCESS", null, 0);
    }

    @Test
    void hitsGoOutAtTheNextTickBeforeItAndSurviveARestartInTheStore() {
        MockProcessorContext<String, CascadePartial> context = new MockProcessorContext<>();
        @SuppressWarnings("unchecked")
        KeyValueStore<Bytes, byte[]> store = (KeyValueStore<Bytes, byte[]>) StateStores
                .taskStore(CascadeTraceProcessor.STORE, StoreMode.REPLAY).withCachingDisabled().withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        CascadeSettings s = AsyncwatchConfig.fromMap(Map.of()).settings(CascadeSettings.SPEC);
        CascadeTraceProcessor.Supplier supplier = new CascadeTraceProcessor.Supplier(s, 60_000, 0, StoreMode.REPLAY);

        Processor<String, Span, String, CascadePartial> first = supplier.get();
        first.init(context);
        // The gateway gives svc-order 1 s; the chain below it may take 2 s.
        first.process(new Record<>("trace-1", span("c", "b", "svc-payment", "db-payments", T0 + 20, 1_000), T0 + 20));
        first.process(new Record<>("trace-1", span("b", "a", "svc-order", "svc-payment", T0 + 10, 1_000), T0 + 10));
        first.process(new Record<>("trace-1", span("a", null, "api-gateway", "svc-order", T0, 1_000), T0));
        // The input partition's clock passes the trace's horizon (after the clock's warm-up): the trace is judged.
        context.setCurrentSystemTimeMs(WALL);
        first.process(new Record<>("", Span.tick(SOURCE, T0), WALL));
        context.setCurrentSystemTimeMs(WALL + 3_001);
        first.process(new Record<>("", Span.tick(SOURCE, T0 + s.horizonMs() + 1), WALL + 3_001));
        assertEquals(List.of(), context.forwarded(), "judged, but nothing sent before the tick");

        // A commit, then the task is lost before its tick: a new processor on what the store holds.
        WriteBackStore.of(store).flushCache();
        first.close();
        Processor<String, Span, String, CascadePartial> revived = supplier.get();
        revived.init(context);
        List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(WALL + 4_000);

        List<CascadePartial> out = context.forwarded().stream().<CascadePartial>map(f -> f.record().value()).toList();
        assertTrue(!out.isEmpty() && !out.get(0).isTick(), "the hit first: " + out);
        CascadePartial hit = out.get(0);
        assertEquals(List.of("api-gateway", "svc-order", T0, 1L), List.of(hit.service(), hit.destination(), hit.time(),
                hit.counts().attempts));
        assertTrue(out.stream().skip(1).allMatch(CascadePartial::isTick), "then only the tick: " + out);

        // Sent once: the next tick has nothing more.
        context.resetForwards();
        WriteBackStore.of(store).flushCache();
        punctuators.get(punctuators.size() - 1).getPunctuator().punctuate(WALL + 5_000);
        assertTrue(context.forwarded().stream().allMatch(f -> f.record().value().isTick()), "no hit twice");
        revived.close();
        store.close();
    }
}
