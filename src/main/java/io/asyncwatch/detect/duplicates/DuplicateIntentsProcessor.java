package io.asyncwatch.detect.duplicates;

import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Watermarks;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Per requestId, within the horizon from its first write: the second SUCCESS WRITE of one service is a
 * duplicated intent. Each request id is forgotten at its deadline (first seen + horizon), read from the store's
 * time-sorted deadlines, so expiry never scans the ids still live; the number of ids is capped per task.
 *
 * <p>The clock is the slowest input partition's ({@link Watermarks}): the writes of one intent come from different
 * partitions (the service's and its database's), and a partition running ahead in a burst must not expire an
 * intent whose second write another partition has yet to deliver.
 */
final class DuplicateIntentsProcessor implements Processor<String, WriteAttempt, String, DuplicateIntent> {

    static final String STORE = "duplicate-operation-requests";
    private static final Duration TICK = Duration.ofSeconds(1);

    record Supplier(DuplicateSettings settings, boolean inMemory)
            implements ProcessorSupplier<String, WriteAttempt, String, DuplicateIntent> {
        @Override
        public Processor<String, WriteAttempt, String, DuplicateIntent> get() {
            return new DuplicateIntentsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, inMemory));
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DuplicateIntentsProcessor.class);

    private final Supplier conf;
    private ProcessorContext<String, DuplicateIntent> context;
    private TaskStore store;
    private KeyBudget budget;
    private Watermarks clock;
    private String source;
    private long lastTick = Watermarks.NONE;

    private DuplicateIntentsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, DuplicateIntent> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "request-ids", conf.settings().maxRequestIds());
        this.clock = Watermarks.fromBytes(store.meta("watermarks"));
        this.source = DuplicateOperations.NAME + "-intents:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, WriteAttempt> record) {
        WriteAttempt w = record.value();
        if (w.isTick()) {
            if (clock.observe(w.service(), w.tick())) {
                store.putMeta("watermarks", clock.toBytes());
                expire(clock.now());
            }
            return;
        }
        byte[] raw = store.get(w.requestId());
        IntentState state;
        if (raw == null) {
            if (!budget.admit()) {
                return; // counted; reported by the tick
            }
            state = new IntentState(record.timestamp());
            store.schedule(record.timestamp() + conf.settings().horizonMs(), w.requestId());
        } else {
            state = IntentState.fromBytes(raw);
        }
        DuplicateIntent duplicate = state.add(w, record.timestamp(), source);
        store.put(w.requestId(), state.toBytes());
        if (duplicate != null) {
            context.forward(new Record<>(duplicate.service(), duplicate, record.timestamp()));
        }
    }

    private void tick(long wall) {
        long now = clock.now();
        if (now != Watermarks.NONE) {
            if (now > lastTick) {
                // Sent to every partition of the windows stage: its clock is the slowest of these.
                context.forward(new Record<>("", DuplicateIntent.tick(source, now), now));
                lastTick = now;
            }
        }
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("duplicate-operation: {} request ids tracked in task {} (asyncwatch.duplicate-operation"
                    + ".max-request-ids); {} write attempts of further request ids were not checked",
                    budget.cap(), context.taskId(), overflow);
        }
    }

    private void expire(long now) {
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            store.delete(d.key());
            budget.release();
        });
    }
}
