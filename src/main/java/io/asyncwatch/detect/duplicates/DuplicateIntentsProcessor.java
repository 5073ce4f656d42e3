package io.asyncwatch.detect.duplicates;

import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.UpstreamClock;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    /** Deadline lane of duplicates waiting to be reported (lane 0: request ids to forget). */
    private static final int PENDING = 1;
    private static final Duration TICK = Duration.ofSeconds(1);

    record Supplier(DuplicateSettings settings, StoreMode storeMode)
            implements ProcessorSupplier<String, WriteAttempt, String, DuplicateIntent> {
        @Override
        public Processor<String, WriteAttempt, String, DuplicateIntent> get() {
            return new DuplicateIntentsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.taskStore(STORE, storeMode));
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DuplicateIntentsProcessor.class);

    private final Supplier conf;
    private ProcessorContext<String, DuplicateIntent> context;
    private TaskStore store;
    private KeyBudget budget;
    private UpstreamClock clock;
    private String source;

    private DuplicateIntentsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, DuplicateIntent> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.budget = new KeyBudget(store, "request-ids", conf.settings().maxRequestIds());
        this.clock = UpstreamClock.restore(store, context.appConfigs());
        this.source = DuplicateOperations.NAME + "-intents:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, WriteAttempt> record) {
        WriteAttempt w = record.value();
        if (w.isTick()) {
            if (clock.observe(w.service(), w.tick(), context.currentSystemTimeMs())) {
                expire(clock.now());
            }
            return;
        }
        byte[] raw = store.get(w.requestId());
        IntentState state = raw == null ? null : IntentState.fromBytes(raw);
        if (state != null && record.timestamp() >= state.firstSeen + conf.settings().horizonMs()) {
            // Beyond the horizon, whether or not its expiry has come round yet: a new intent as far as we know.
            store.cancel(state.firstSeen + conf.settings().horizonMs(), w.requestId());
            store.delete(w.requestId());
            budget.release();
            state = null;
        }
        if (state == null) {
            if (!budget.admit()) {
                return; // counted; reported by the tick
            }
            state = new IntentState(record.timestamp());
            store.schedule(record.timestamp() + conf.settings().horizonMs(), w.requestId());
        }
        DuplicateIntent duplicate = state.add(w, record.timestamp(), source);
        store.put(w.requestId(), state.toBytes());
        if (duplicate != null) {
            // Reported once every partition has passed it: the timed-out attempt that makes it a zombie comes
            // from the client's partition and may arrive after the database's second write.
            String key = pendingKey(w.requestId(), duplicate.service());
            store.put(key, DuplicateIntent.SERDE.serializer().serialize(null, duplicate));
            store.schedule(PENDING, record.timestamp(), key);
            if (clock.now() != Watermarks.NONE && clock.now() >= record.timestamp()) {
                report(clock.now());
            }
        }
    }

    private static String pendingKey(String requestId, String service) {
        return "dup|" + service + "|" + requestId;
    }

    private void report(long now) {
        store.forEachDue(PENDING, now, d -> {
            store.cancel(PENDING, d.time(), d.key());
            byte[] raw = store.get(d.key());
            store.delete(d.key());
            if (raw == null) {
                return;
            }
            DuplicateIntent found = DuplicateIntent.SERDE.deserializer().deserialize(null, raw);
            byte[] state = store.get(found.requestId());
            String zombie = state == null ? found.zombie() : IntentState.fromBytes(state).zombie();
            DuplicateIntent out = new DuplicateIntent(found.service(), found.layer(), found.requestId(),
                    found.entity(), found.writeIds(), zombie, found.time(), found.source());
            context.forward(new Record<>(out.service(), out, out.time()));
        });
    }

    private void tick(long wall) {
        // Sent to every partition of the windows stage, whose clock is the slowest of these; announced before this
        // task's clock starts, so the windows stage knows it exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", DuplicateIntent.tick(source, t),
                t == Watermarks.NONE ? wall : t)));
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("duplicate-operation: {} request ids tracked in task {} (asyncwatch.duplicate-operation"
                    + ".max-request-ids); {} write attempts of further request ids were not checked",
                    budget.cap(), context.taskId(), overflow);
        }
    }

    private void expire(long now) {
        report(now); // before the request ids they need are forgotten
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            store.delete(d.key());
            budget.release();
        });
    }
}
