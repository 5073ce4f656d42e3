package io.asyncwatch.detect.causality;

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
 * Business order per entity, on the entity's task (requests with an entity and an ordered operation, projected and
 * re-keyed by entity): each operation is judged against the entity's other operations within the horizon, whichever
 * arrives first ({@link BusinessOrder}). An entity is forgotten a horizon and the grace after its latest operation.
 */
final class EntityOrderProcessor implements Processor<String, CausalFact, String, CausalOutcome> {

    static final String STORE = "causality-entities";
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(EntityOrderProcessor.class);

    record Supplier(CausalitySettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, CausalFact, String, CausalOutcome> {
        @Override
        public Processor<String, CausalFact, String, CausalOutcome> get() {
            return new EntityOrderProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    /** An entity's operations within reach (the operation is the fact's {@code via}), and its deadline. */
    private static final class EntityOps {
        long latest = Long.MIN_VALUE;
        long deadline = Long.MIN_VALUE;
        final List<CausalFact> ops = new ArrayList<>();

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).varlong(latest).varlong(deadline).varlong(ops.size());
            ops.forEach(f -> w.bytes(f.toBytes()));
            return w.bytes();
        }

        static EntityOps fromBytes(byte[] b, String entity) {
            Bin.Reader r = Bin.versioned(b, VERSION, "entity operations");
            EntityOps e = new EntityOps();
            e.latest = r.varlong();
            e.deadline = r.varlong();
            long n = r.varlong();
            for (long i = 0; i < n; i++) {
                CausalFact f = CausalFact.fromBytes(r.bytes());
                e.ops.add(f.at(entity, f.time()));
            }
            return e;
        }
    }

    private final Supplier conf;
    private final CausalitySettings s;
    private ProcessorContext<String, CausalOutcome> context;
    private TaskStore store;
    private DecodedEntries<EntityOps> entities;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;
    private long overflow;

    private EntityOrderProcessor(Supplier conf) {
        this.conf = conf;
        this.s = conf.settings();
    }

    @Override
    public void init(ProcessorContext<String, CausalOutcome> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.entities = new DecodedEntries<>(store, EntityOps::toBytes);
        this.budget = new KeyBudget(store, "entities", s.maxLinks());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = Causality.NAME + "-entities:" + context.taskId().partition();
        this.overflow = 0;
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, CausalFact> record) {
        CausalFact in = record.value();
        if (in.isTick()) {
            if (clock.observe(in.source(), in.tick(), context.currentSystemTimeMs())) {
                expire(clock.now());
            }
            return;
        }
        String entity = record.key();
        CausalFact op = in.at(entity, record.timestamp());
        EntityOps e = read(entity);
        if (e == null) {
            if (!budget.admit()) {
                return; // counted; logged by the tick
            }
            e = new EntityOps();
        }
        // Operations past reach on this stage's clock make room; a redelivered one (same id) is judged once.
        long now = clock.now();
        if (now != Watermarks.NONE) {
            e.ops.removeIf(o -> o.time() + s.horizonMs() + conf.graceMs() <= now);
        }
        for (CausalFact other : e.ops) {
            if (other.eventId() != null && other.eventId().equals(op.eventId())) {
                return;
            }
        }
        for (CausalFact other : e.ops) {
            if (Math.abs(other.time() - op.time()) <= s.horizonMs()) {
                s.businessOrder().judge(view(other), view(op), s.toleranceMs()).ifPresent(v -> {
                    CausalOutcome o = CausalOutcome.order(entity, v, Math.max(other.time(), op.time()));
                    context.forward(new Record<>(Causality.ALL, o, o.time()));
                });
            }
        }
        if (e.ops.size() < s.maxPendingEffects()) {
            e.ops.add(op);
        } else {
            overflow++;
        }
        if (op.time() > e.latest) {
            e.latest = op.time();
            long due = e.latest + s.horizonMs() + conf.graceMs();
            if (e.deadline != Long.MIN_VALUE) {
                store.cancel(e.deadline, entity);
            }
            store.schedule(due, entity);
            e.deadline = due;
        }
        entities.changed(entity, e);
    }

    private EntityOps read(String entity) {
        EntityOps e = entities.get(entity);
        if (e != null) {
            return e;
        }
        byte[] raw = store.get(entity);
        return raw == null ? null : EntityOps.fromBytes(raw, entity);
    }

    private static BusinessOrder.Op view(CausalFact f) {
        return new BusinessOrder.Op(f.via(), f.eventId(), f.node(), f.timestamp(), f.lamport(), f.vectorClock());
    }

    private void expire(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            EntityOps e = read(d.key());
            if (e != null && e.deadline == d.time()) {
                entities.forget(d.key());
                store.delete(d.key());
                budget.release();
            }
        });
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the window stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", CausalOutcome.tick(source, t),
                Watermarks.stamp(t, wall))));
        long left = budget.drainOverflow();
        if (left > 0 || overflow > 0) {
            LOG.warn("causality: task {} tracks at most {} entities (asyncwatch.causality.max-links) and {}"
                    + " operations per entity (max-pending-effects): {} operations of further entities not checked;"
                    + " {} over the per-entity cap checked but not kept for later ones", context.taskId(),
                    budget.cap(), s.maxPendingEffects(), left, overflow);
            overflow = 0;
        }
    }
}
