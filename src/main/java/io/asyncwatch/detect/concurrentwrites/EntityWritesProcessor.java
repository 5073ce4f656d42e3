package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.DecodedEntries;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * the entity's {@link WriteFrontier} and kept in it; conflicts go to the window stage. An entity is forgotten once
 * every write it keeps is out of reach ({@link WriteFrontier#forgottenAt}), on the slowest input partition's clock,
 * so a partition running ahead cannot forget writes another has yet to deliver a conflict with.
 */
final class EntityWritesProcessor implements Processor<String, EntityWrite, String, WriteConflict> {

    static final String STORE = "concurrent-write-entities";
    private static final Duration TICK = Duration.ofSeconds(1);
    /** Deadlines rounded up to this, so an entity written many times a second is rescheduled once. */
    private static final long DEADLINE_STEP_MS = 1_000;
    private static final int VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(EntityWritesProcessor.class);

    record Supplier(ConcurrentWriteSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, EntityWrite, String, WriteConflict> {
        @Override
        public Processor<String, EntityWrite, String, WriteConflict> get() {
            return new EntityWritesProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    /** One entity's frontier and the deadline it is scheduled to be forgotten at. */
    static final class EntityState {
        long deadline = Long.MIN_VALUE;
        WriteFrontier frontier = new WriteFrontier();

        byte[] toBytes() {
            List<WriteFrontier.Write> ws = frontier.writes();
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(deadline).varlong(ws.size());
            ws.forEach(x -> WriteConflict.write(w, x));
            return w.bytes();
        }

        static EntityState fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "entity writes");
            EntityState e = new EntityState();
            e.deadline = r.varlong();
            long n = r.varlong();
            List<WriteFrontier.Write> ws = new ArrayList<>((int) Math.min(n, 1024));
            for (long i = 0; i < n; i++) {
                ws.add(WriteConflict.read(r));
            }
            e.frontier = new WriteFrontier(ws);
            return e;
        }
    }

    private final Supplier conf;
    private final ConcurrentWriteSettings s;
    private ProcessorContext<String, WriteConflict> context;
    private TaskStore store;
    private DecodedEntries<EntityState> entities;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;
    private long crowded;

    private EntityWritesProcessor(Supplier conf) {
        this.conf = conf;
        this.s = conf.settings();
    }

    @Override
    public void init(ProcessorContext<String, WriteConflict> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.entities = new DecodedEntries<>(store, EntityState::toBytes);
        this.budget = new KeyBudget(store, "entities", s.maxEntities());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = ConcurrentWrites.NAME + "-entities:" + context.taskId().partition();
        this.crowded = 0;
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, EntityWrite> record) {
        EntityWrite in = record.value();
        if (in.isTick()) {
            if (clock.observe(in.source(), in.tick(), context.currentSystemTimeMs())) {
                expire(clock.now());
            }
            return;
        }
        String entity = record.key();
        EntityState e = read(entity);
        if (e == null) {
            if (!budget.admit()) {
                return; // counted; logged by the tick
            }
            e = new EntityState();
        }
        long now = clock.now() == Watermarks.NONE ? Long.MIN_VALUE : clock.now();
        WriteFrontier.Added added = e.frontier.add(in.at(record.timestamp()), now, s.horizonMs(), conf.graceMs(),
                s.sameSecond(), s.maxWrites());
        if (added.duplicate()) {
            return;
        }
        crowded += added.evictedForRoom();
        for (WriteFrontier.Conflict c : added.conflicts()) {
            WriteConflict out = WriteConflict.of(entity, c);
            context.forward(new Record<>(ConcurrentWrites.ALL, out, out.time()));
        }
        long due = ceil(e.frontier.forgottenAt(s.horizonMs(), conf.graceMs()));
        if (due != e.deadline) {
            if (e.deadline != Long.MIN_VALUE) {
                store.cancel(e.deadline, entity);
            }
            store.schedule(due, entity);
            e.deadline = due;
        }
        entities.changed(entity, e);
    }

    private static long ceil(long t) {
        return Math.floorDiv(t + DEADLINE_STEP_MS - 1, DEADLINE_STEP_MS) * DEADLINE_STEP_MS;
    }

    private EntityState read(String entity) {
        EntityState e = entities.get(entity);
        if (e != null) {
            return e;
        }
        byte[] raw = store.get(entity);
        return raw == null ? null : EntityState.fromBytes(raw);
    }

    private void expire(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            EntityState e = read(d.key());
            if (e != null && e.deadline == d.time()) {
                entities.forget(d.key());
                store.delete(d.key());
                budget.release();
            }
        });
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the window stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", WriteConflict.tick(source, t),
                t == Watermarks.NONE ? wall : t)));
        long left = budget.drainOverflow();
        if (left > 0 || crowded > 0) {
            LOG.warn("concurrent-write: task {} tracks at most {} entities (asyncwatch.concurrent-write.max-entities)"
                    + " and {} writes per entity (max-writes-per-entity): {} writes of further entities not checked;"
                    + " {} kept writes dropped to make room (later writes are not compared with them)",
                    context.taskId(), budget.cap(), s.maxWrites(), left, crowded);
            crowded = 0;
        }
    }
}
