package io.asyncwatch.detect.duplicates;

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
 * duplicated intent. The intents live in an {@link IntentBook} (in memory, written to the store as chunks of
 * attempts); each request id is forgotten once the clock passes its first write by the horizon; the number of ids is
 * capped per task.
 *
 * <p>The clock is the slowest input partition's ({@link Watermarks}): the writes of one intent come from different
 * partitions (the service's and its database's), and a partition running ahead in a burst must not expire an
 * intent whose second write another partition has yet to deliver.
 */
final class DuplicateIntentsProcessor implements Processor<String, WriteAttempt, String, DuplicateIntent> {

    static final String STORE = "duplicate-operation-requests";
    /**
     * Deadline lane of duplicates waiting to be reported. Lane 0 held a deadline per request id before the intents went
     * to chunks: what a store from then still holds is forgotten at those deadlines, as it was.
     */
    private static final int PENDING = 1;
    /** Data keys of duplicates waiting to be reported. */
    static final String PENDING_PREFIX = "dup|";
    private static final Duration TICK = Duration.ofSeconds(1);

    record Supplier(DuplicateSettings settings, StoreMode storeMode)
            implements ProcessorSupplier<String, WriteAttempt, String, DuplicateIntent> {
        @Override
        public Processor<String, WriteAttempt, String, DuplicateIntent> get() {
            return new DuplicateIntentsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(DuplicateIntentsProcessor.class);

    private final Supplier conf;
    private ProcessorContext<String, DuplicateIntent> context;
    private TaskStore store;
    private IntentBook book;
    private UpstreamClock clock;
    private String source;

    private DuplicateIntentsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, DuplicateIntent> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        // Replay's stores have no changelog and are never restored: nothing to write the attempts for.
        this.book = store.attachment(IntentBook.class, () -> new IntentBook(store, conf.settings(),
                conf.storeMode() != StoreMode.REPLAY));
        IntentBook mine = book;
        store.beforeCommit(mine::flush);
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
        DuplicateIntent duplicate = book.add(w, record.timestamp(), source);
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
        return PENDING_PREFIX + service + "|" + requestId;
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
            IntentState state = book.get(found.requestId());
            String zombie = state == null ? found.zombie() : state.zombie();
            DuplicateIntent out = new DuplicateIntent(found.service(), found.layer(), found.requestId(),
                    found.entity(), found.writeIds(), zombie, found.time(), found.source());
            context.forward(new Record<>(out.service(), out, out.time()));
        });
    }

    private void tick(long wall) {
        // Sent to every partition of the windows stage, whose clock is the slowest of these; announced before this
        // task's clock starts, so the windows stage knows it exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", DuplicateIntent.tick(source, t),
                Watermarks.stamp(t, wall))));
        long overflow = book.drainOverflow();
        if (overflow > 0) {
            LOG.warn("duplicate-operation: {} request ids tracked in task {} (asyncwatch.duplicate-operation"
                    + ".max-request-ids); {} write attempts of further request ids were not checked",
                    conf.settings().maxRequestIds(), context.taskId(), overflow);
        }
    }

    private void expire(long now) {
        report(now); // before the request ids they need are forgotten
        book.expire(now);
        store.forEachDue(now, d -> {
            store.cancel(d.time(), d.key());
            store.delete(d.key());
        });
    }

    /**
     * Lets go of the book: the task is closing or being recycled (a new instance rebuilds it from the store). Kafka
     * Streams may commit once more after closing the processors: the attempts still pending are written then, once.
     */
    @Override
    public void close() {
        IntentBook closing = book;
        store.beforeCommit(() -> {
            closing.flush();
            store.beforeCommit(null);
        });
        store.detach();
    }
}
