package io.asyncwatch.detect.causality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.state.WriteBackStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.junit.jupiter.api.Test;

/**
 * The shared cause book across a task's lifecycle: processors closed (a task recycled between active and standby,
 * whose stores stay open) hand their pending causes to one last commit and let go of the book; the next ones
 * rebuild it from the store.
 */
class CauseIndexLifecycleTest {

    private static final long T0 = 1_767_225_600_000L;

    /** The index's stores, as a task has them, without changelogs. */
    private static List<KeyValueStore<Bytes, byte[]>> stores(MockProcessorContext<Object, Object> context) {
        List<KeyValueStore<Bytes, byte[]>> stores = new ArrayList<>();
        for (StoreBuilder<?> b : CauseIndex.stores(StoreMode.REPLAY)) {
            @SuppressWarnings("unchecked")
            KeyValueStore<Bytes, byte[]> store = (KeyValueStore<Bytes, byte[]>) b.withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            stores.add(store);
        }
        return stores;
    }

    @Test
    void closedProcessorsFlushOnceAndTheNextOnesRebuild() {
        CausalitySettings s = AsyncwatchConfig.fromMap(Map.of()).settings(CausalitySettings.SPEC);
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        List<KeyValueStore<Bytes, byte[]>> stores = stores(context);
        WriteBackStore causes = WriteBackStore.of(context.getStateStore(CauseIndex.CAUSES));

        // Two processors of one task share one book (persisted, as with a changelog).
        CauseIndex first = new CauseIndex(context, s, 0, StoreMode.IN_MEMORY);
        CauseIndex second = new CauseIndex(context, s, 0, StoreMode.IN_MEMORY);
        first.causesStore().beforeCommit(first::flushCauses);
        first.cause(CausalFact.cause("id:a", "a", "n1", T0, null, null).at("id:a", T0), o -> { });
        CauseBook shared = causes.attachment(CauseBook.class, () -> null);
        assertTrue(shared != null && shared.size() == 1, "both see the cause");

        // Closed without a commit first: the commit that follows writes the pending cause, once.
        first.close();
        second.close();
        TaskStore data = new TaskStore(context.getStateStore(CauseIndex.CAUSES));
        assertEquals(0, data.allData().size());
        causes.flushCache();
        assertEquals(1, data.allData().size(), "flushed by the last commit");
        // The hook let go of the old book: whatever it still gets is not written by later commits.
        shared.add(CausalFact.cause("id:b", "b", "n1", T0, null, null).at("id:b", T0));
        causes.flushCache();
        assertEquals(1, data.allData().size(), "only once: the hook let go of the old book");

        // Re-initialised processors get a new book, rebuilt from the store.
        CauseIndex revived = new CauseIndex(context, s, 0, StoreMode.IN_MEMORY);
        CauseBook fresh = causes.attachment(CauseBook.class, () -> null);
        assertNotSame(shared, fresh);
        assertEquals(1, fresh.size());
        assertEquals("n1", fresh.find("id:a").node());
        revived.close();
        stores.forEach(KeyValueStore::close);
    }

    @Test
    void anEffectWaitingBeforeARestartIsJudgedWhenItsCauseArrivesAfterIt() {
        CausalitySettings s = AsyncwatchConfig.fromMap(Map.of()).settings(CausalitySettings.SPEC);
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        List<KeyValueStore<Bytes, byte[]>> stores = stores(context);
        List<CausalOutcome> outcomes = new ArrayList<>();
        CauseIndex before = new CauseIndex(context, s, 0, StoreMode.IN_MEMORY);
        // The effect (stamped before its cause) is looked up first: it waits here for its cause.
        before.lookup(CausalFact.effect("id:c", CausalFact.VIA_CAUSED_BY, "e", "n2", T0, null, null).at("id:c", T0),
                outcomes::add);
        before.cause(CausalFact.cause("id:other", "other", "n1", T0, null, null).at("id:other", T0), outcomes::add);
        assertEquals(List.of(), outcomes);
        before.close();

        // The processors of the restarted task know what waits from the store alone.
        CauseIndex after = new CauseIndex(context, s, 0, StoreMode.IN_MEMORY);
        after.cause(CausalFact.cause("id:c", "c", "n1", T0 + 500, null, null).at("id:c", T0 + 500), outcomes::add);
        assertTrue(outcomes.stream().anyMatch(o -> "n1".equals(o.causeNode()) && "n2".equals(o.effectNode())
                && "e".equals(o.effectId())), "the waiting effect was judged against its cause: " + outcomes);
        after.close();
        stores.forEach(KeyValueStore::close);
    }
}
