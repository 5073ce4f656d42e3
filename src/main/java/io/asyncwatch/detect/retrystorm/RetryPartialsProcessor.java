package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.ingest.EventTime;
import io.asyncwatch.ingest.Origin;
import io.asyncwatch.ingest.Texts;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.DecodedEntries;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-aggregation in the input partition's task: counts per (service, window) since the last flush, forwarded
 * as {@link RetryDelta}s every {@link #FLUSH} of wall-clock time and then dropped, followed by the partition's latest
 * clock tick (which the judge's clock follows, the slowest partition's). The raw request stream never
 * crosses the broker for this detector. The pending counts live in a changelogged store, so what a crash
 * interrupts is flushed after the restart, never lost or counted twice (exactly-once commits state, input offsets
 * and output together); between commits they are kept decoded and written back once per commit.
 *
 * <p>An event whose window has already closed on the partition's clock (end + grace) is late: it is
 * dead-lettered here, with its original bytes, and counted as late for its service.
 */
final class RetryPartialsProcessor implements Processor<String, Accepted<RequestEvent>, String, RetryStorm.Partial> {

    static final Duration FLUSH = Duration.ofSeconds(1);
    static final String STORE = "retry-storm-partials";
    private static final long PENDING_PER_SERVICE = 10;
    private static final Logger LOG = LoggerFactory.getLogger(RetryPartialsProcessor.class);

    record Supplier(RetryStormSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Accepted<RequestEvent>, String, RetryStorm.Partial> {
        @Override
        public Processor<String, Accepted<RequestEvent>, String, RetryStorm.Partial> get() {
            return new RetryPartialsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, RetryStorm.Partial> context;
    private TaskStore store;
    private KeyBudget budget;
    private DecodedEntries<Pending> pending;
    /** The input partition's latest tick, sent after the counts it covers at the next flush. */
    private RetryDelta heldTick;

    private RetryPartialsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, RetryStorm.Partial> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.pending = new DecodedEntries<>(store, Pending::toBytes);
        heldTick = null;
        // Pending counts of one flush interval: several windows per service can be open at once.
        this.budget = new KeyBudget(store, "pending", conf.settings().maxServices() * PENDING_PER_SERVICE);
        context.schedule(FLUSH, PunctuationType.WALL_CLOCK_TIME, ts -> flush());
    }

    @Override
    public void process(Record<String, Accepted<RequestEvent>> record) {
        Accepted<RequestEvent> a = record.value();
        if (a.isTick()) {
            heldTick = RetryDelta.tick(a.source(), a.clock());
            return;
        }
        RequestEvent e = a.event();
        long w = conf.settings().windowMs();
        long start = RetryHistory.windowStart(record.timestamp(), w);
        boolean late = start + w + conf.graceMs() <= a.clock();
        long countedIn = late ? RetryHistory.windowStart(a.clock(), w) : start;
        String key = key(countedIn, e.service());
        Pending p = pending.get(key);
        if (p == null) {
            byte[] stored = store.get(key);
            if (stored == null && !budget.admit()) {
                return; // counted in the budget's overflow, logged at the next flush
            }
            p = stored == null ? new Pending(e.service(), e.layer(), countedIn) : Pending.fromBytes(stored);
        }
        if (late) {
            p.counts.late++;
            context.forward(record.withValue(RetryStorm.Partial.late(lateLetter(record, a, start))));
        } else {
            p.counts.add(e.isRetry(), e.status(), EventTime.wasClockSuspect(e.timestamp(), record.timestamp()), e.eventId());
        }
        p.layer = e.layer();
        p.maxEventTime = Math.max(p.maxEventTime, record.timestamp());
        pending.changed(key, p);
    }

    private void flush() {
        pending.writeBack();
        // Every entry here is pending by construction (flushed entries are deleted), so this reads only the
        // counts of the last second, not idle keys.
        for (KeyValue<String, byte[]> kv : store.allData()) {
            Pending p = pending.get(kv.key);
            if (p == null) {
                p = Pending.fromBytes(kv.value);
            }
            WindowCounts c = p.counts;
            RetryDelta d = new RetryDelta(p.service, p.layer, p.windowStart, c.attempts, c.retries,
                    c.retriesSucceeded, c.retriesTimedOut, c.clockSuspect,
                    c.late, List.copyOf(c.sampleRetryIds), p.maxEventTime);
            // Stamped with its own latest event, not the partition clock: one flush can carry many windows (a
            // burst, a catch-up). The judge's clock follows the tick sent after them, not these timestamps.
            context.forward(new Record<>(p.service, RetryStorm.Partial.delta(d), p.maxEventTime));
            store.delete(kv.key);
            budget.release();
        }
        pending.clear();
        if (heldTick != null) {
            long stamp = Watermarks.stamp(heldTick.tick(), context.currentSystemTimeMs());
            context.forward(new Record<>("", RetryStorm.Partial.delta(heldTick), stamp));
            heldTick = null;
        }
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("retry-storm: more than {} (service, window) counts pending in task {} (10 x"
                    + " asyncwatch.retry-storm.max-services): {} events of new services were not counted",
                    budget.cap(), context.taskId(), overflow);
        }
    }

    private static String key(long windowStart, String service) {
        return windowStart + "|" + service;
    }

    private DeadLetter lateLetter(Record<String, Accepted<RequestEvent>> record, Accepted<RequestEvent> a,
                                  long windowStart) {
        Origin o = a.origin();
        String reason = "requests: late event beyond the " + conf.graceMs() + " ms grace period, "
                + Texts.distance(a.clock() - record.timestamp()) + " behind the stream: event time "
                + Instant.ofEpochMilli(record.timestamp()) + ", its window from " + Instant.ofEpochMilli(windowStart)
                + " closed when the partition clock passed " + Instant.ofEpochMilli(windowStart
                + conf.settings().windowMs() + conf.graceMs()) + "; counted as lateEvents in " + a.event().service()
                + "'s retry_multiplier metric, not in its window";
        return new DeadLetter(o != null ? o.topic() : "requests", o != null ? o.partition() : null,
                o != null ? o.offset() : null, record.timestamp(), record.key(), a.raw(), Texts.text(a.raw()), reason);
    }

    /** The counts of one (service, window) waiting for the next flush. */
    private static final class Pending {
        private static final int VERSION = 2;
        final String service;
        String layer;
        final long windowStart;
        long maxEventTime = Long.MIN_VALUE;
        final WindowCounts counts = new WindowCounts();

        Pending(String service, String layer, long windowStart) {
            this.service = service;
            this.layer = layer;
            this.windowStart = windowStart;
        }

        byte[] toBytes() {
            return Bin.writer().u8(VERSION).str(service).str(layer).varlong(windowStart).varlong(maxEventTime)
                    .varlong(counts.attempts).varlong(counts.retries).varlong(counts.retriesSucceeded)
                    .varlong(counts.retriesTimedOut).varlong(counts.clockSuspect)
                    .varlong(counts.late).strings(counts.sampleRetryIds).bytes();
        }

        static Pending fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "pending retry counts");
            Pending p = new Pending(r.str(), r.str(), r.varlong());
            p.maxEventTime = r.varlong();
            p.counts.attempts = r.varlong();
            p.counts.retries = r.varlong();
            p.counts.retriesSucceeded = r.varlong();
            p.counts.retriesTimedOut = r.varlong();
            p.counts.clockSuspect = r.varlong();
            p.counts.late = r.varlong();
            p.counts.sampleRetryIds.addAll(r.strings());
            return p;
        }
    }
}
