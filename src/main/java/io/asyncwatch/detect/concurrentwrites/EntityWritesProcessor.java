package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the entity's task (WRITE events with an entity, projected and re-keyed by entity): each write is judged against
 * the entity's {@link WriteFrontier} and kept in it; conflicts go to the window stage. Writes and entities are
 * forgotten on the slowest input partition's clock, so a partition running ahead cannot make the task forget writes
 * another has yet to deliver a conflict with. The frontiers live in a {@link WriteBook}.
 */
final class EntityWritesProcessor implements Processor<String, EntityWrite, String, WriteConflict> {

    static final String STORE = "concurrent-write-entities";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(EntityWritesProcessor.class);

    record Supplier(ConcurrentWriteSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, EntityWrite, String, WriteConflict> {
        @Override
        public Processor<String, EntityWrite, String, WriteConflict> get() {
            return new EntityWritesProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, WriteConflict> context;
    private TaskStore store;
    private WriteBook book;
    private UpstreamClock clock;
    private String source;

    private EntityWritesProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, WriteConflict> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        // Replay's stores have no changelog and are never restored: nothing to write the frontiers for.
        this.book = store.attachment(WriteBook.class, () -> new WriteBook(store, conf.settings(), conf.graceMs(),
                conf.storeMode() != StoreMode.REPLAY));
        WriteBook mine = book;
        store.beforeCommit(mine::flush);
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = ConcurrentWrites.NAME + "-entities:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, EntityWrite> record) {
        EntityWrite in = record.value();
        if (in.isTick()) {
            if (clock.observe(in.source(), in.tick(), context.currentSystemTimeMs())) {
                book.expire(clock.now());
            }
            return;
        }
        long now = clock.now() == Watermarks.NONE ? Long.MIN_VALUE : clock.now();
        WriteFrontier.Added added = book.add(record.key(), in.at(record.timestamp()), now);
        if (added == null || added.duplicate()) {
            return; // left out by the cap (counted, logged by the tick), or redelivered
        }
        for (WriteFrontier.Conflict c : added.conflicts()) {
            WriteConflict out = WriteConflict.of(record.key(), c);
            context.forward(new Record<>(ConcurrentWrites.ALL, out, out.time()));
        }
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the window stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", WriteConflict.tick(source, t),
                Watermarks.stamp(t, wall))));
        long[] n = book.drainCounts();
        if (n[0] > 0 || n[1] > 0) {
            LOG.warn("concurrent-write: task {} tracks at most {} entities (asyncwatch.concurrent-write.max-entities)"
                    + " and {} writes per entity (max-writes-per-entity): {} writes of further entities not checked;"
                    + " {} kept writes dropped to make room (later writes are not compared with them)",
                    context.taskId(), conf.settings().maxEntities(), conf.settings().maxWrites(), n[0], n[1]);
        }
    }

    /**
     * Lets go of the book: the task is closing or being recycled (a new instance rebuilds it from the store). Kafka
     * Streams may commit once more after closing the processors: the writes still pending are written then, once.
     */
    @Override
    public void close() {
        WriteBook closing = book;
        store.beforeCommit(() -> {
            closing.flush();
            store.beforeCommit(null);
        });
        store.detach();
    }
}
