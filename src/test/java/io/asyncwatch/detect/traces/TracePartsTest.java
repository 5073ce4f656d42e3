package io.asyncwatch.detect.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** A trace's spans written once each, as one part per commit, read back in order, also after a restart. */
class TracePartsTest {

    private static final long T0 = 1_767_225_600_000L;

    private static Span span(String traceId, String id, long t) {
        return new Span(traceId, id, null, "e-" + id, t, "svc-order", "service", "db-orders", 1_000, 10.0, "SUCCESS",
                null, 0);
    }

    private static TaskStore store() {
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        @SuppressWarnings("unchecked")
        KeyValueStore<Bytes, byte[]> kv = (KeyValueStore<Bytes, byte[]>) StateStores
                .taskStore("trace-parts-test", StoreMode.REPLAY).withCachingDisabled().withLoggingDisabled().build();
        kv.init(context.getStateStoreContext(), kv);
        return new TaskStore(kv);
    }

    private static List<String> ids(List<Span> spans) {
        return spans.stream().map(Span::spanId).toList();
    }

    /** A trace written whole, as before the parts: first span time, spans (the legacy reader's format here). */
    private static List<Span> legacy(String traceId, byte[] raw) {
        Bin.Reader r = Bin.versioned(raw, 9, "legacy trace");
        List<Span> out = new ArrayList<>();
        for (long n = r.varlong(); n > 0; n--) {
            out.add(Span.read(traceId, r));
        }
        return out;
    }

    @Test
    void eachCommitWritesOnlyWhatTheTraceGainedAndARestartReadsItAllInOrder() {
        TaskStore store = store();
        TraceParts parts = new TraceParts(store, TracePartsTest::legacy);
        assertFalse(parts.exists("t1"));
        for (int commit = 0; commit < 3; commit++) {
            parts.append("t1", span("t1", "a" + commit, T0 + commit));
            parts.append("t1", span("t1", "b" + commit, T0 + commit));
            assertEquals(commit * 2 + 2, parts.read("t1").size(), "what is pending is read too");
            parts.flush();
        }
        List<Integer> sizes = store.allData().stream().map(kv -> kv.value.length).toList();
        assertEquals(3, sizes.size(), "one part per commit");
        assertTrue(sizes.stream().allMatch(n -> n.equals(sizes.get(0))), "each part holds two spans only: " + sizes);

        TraceParts revived = new TraceParts(store, TracePartsTest::legacy);
        assertTrue(revived.exists("t1"));
        assertFalse(revived.exists("t2"));
        assertEquals(List.of("a0", "b0", "a1", "b1", "a2", "b2"), ids(revived.read("t1")));
        revived.append("t1", span("t1", "c", T0 + 9));
        revived.flush();
        assertEquals(List.of("a0", "b0", "a1", "b1", "a2", "b2", "c"),
                ids(new TraceParts(store, TracePartsTest::legacy).read("t1")));
    }

    @Test
    void deleteForgetsEveryPartAndReplaceKeepsOnlyTheRest() {
        TaskStore store = store();
        TraceParts parts = new TraceParts(store, TracePartsTest::legacy);
        parts.append("t1", span("t1", "a", T0));
        parts.flush();
        parts.append("t1", span("t1", "b", T0 + 1));
        parts.append("t2", span("t2", "x", T0));
        parts.flush();
        parts.replace("t1", List.of(span("t1", "b", T0 + 1)));
        parts.flush();
        assertEquals(List.of("b"), ids(new TraceParts(store, TracePartsTest::legacy).read("t1")));
        parts.delete("t1");
        parts.delete("t2");
        parts.flush();
        assertEquals(List.of(), store.allData());
        assertFalse(new TraceParts(store, TracePartsTest::legacy).exists("t1"));
    }

    @Test
    void aTraceWrittenWholeBeforeThePartsIsReadAndDeleted() {
        TaskStore store = store();
        Bin.Writer w = Bin.writer().u8(9).varlong(1);
        span("t1", "old", T0).write(w);
        store.put("t1", w.bytes());
        TraceParts parts = new TraceParts(store, TracePartsTest::legacy);
        assertTrue(parts.exists("t1"));
        parts.append("t1", span("t1", "new", T0 + 1));
        parts.flush();
        assertEquals(List.of("old", "new"), ids(new TraceParts(store, TracePartsTest::legacy).read("t1")));
        parts.delete("t1");
        assertEquals(List.of(), store.allData());
    }
}
