package io.asyncwatch.detect.calls;

import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.DecodedEntries;
import io.asyncwatch.state.KeyBudget;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
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
 * Pre-aggregation in the input partition's task: {@link CallStats} per (service, destination, window) since the
 * last flush, forwarded every {@link #FLUSH} of wall-clock time and then dropped, so the raw request stream never
 * crosses the broker for the request-health detectors. Pending counts live in a changelogged store: what a crash
 * interrupts is flushed after the restart, never lost or counted twice. They are kept decoded between commits and
 * written back once per commit ({@link io.asyncwatch.state.WriteBackStore}): encoding a latency sketch for every
 * event would cost more than all the rest of the event's processing.
 *
 * <p>The partition's clock ticks are held back and forwarded after the flush: a tick always follows the counts it
 * covers, so the service's task can close a window as soon as every partition's tick has passed it.
 */
final class CallPartialsProcessor implements Processor<String, Accepted<RequestEvent>, String, CallPartial> {

    static final Duration FLUSH = Duration.ofSeconds(1);
    static final String STORE = "call-windows-partials";
    private static final long PENDING_PER_SERVICE = 10;
    private static final Logger LOG = LoggerFactory.getLogger(CallPartialsProcessor.class);

    record Supplier(CallWindowSettings settings, long graceMs, StoreMode storeMode)
            implements ProcessorSupplier<String, Accepted<RequestEvent>, String, CallPartial> {
        @Override
        public Processor<String, Accepted<RequestEvent>, String, CallPartial> get() {
            return new CallPartialsProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, CallPartial> context;
    private TaskStore store;
    private KeyBudget budget;
    private DecodedEntries<Pending> pending;
    private CallPartial heldTick;

    private CallPartialsProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, CallPartial> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.pending = new DecodedEntries<>(store, Pending::toBytes);
        heldTick = null;
        this.budget = new KeyBudget(store, "pending", conf.settings().maxServices() * PENDING_PER_SERVICE);
        context.schedule(FLUSH, PunctuationType.WALL_CLOCK_TIME, ts -> flush());
    }

    @Override
    public void process(Record<String, Accepted<RequestEvent>> record) {
        Accepted<RequestEvent> a = record.value();
        if (a.isTick()) {
            heldTick = CallPartial.tick(a.source(), a.clock());
            return;
        }
        RequestEvent e = a.event();
        long w = conf.settings().windowMs();
        long start = conf.settings().windowStart(record.timestamp());
        boolean late = start + w + conf.graceMs() <= a.clock();
        long countedIn = late ? conf.settings().windowStart(a.clock()) : start;
        String destination = e.destination() == null ? "" : e.destination();
        String key = countedIn + "|" + e.service() + "|" + destination;
        Pending p = pending.get(key);
        if (p == null) {
            byte[] stored = store.get(key);
            if (stored == null && !budget.admit()) {
                return; // counted in the budget's overflow, logged at the next flush
            }
            p = stored == null ? new Pending(e.service(), e.layer(), destination, countedIn)
                    : Pending.fromBytes(stored);
        }
        if (late) {
            p.stats.late++; // dead-lettered (once) by the retry-storm stage
        } else {
            p.stats.add(e);
        }
        p.layer = e.layer().compareTo(p.layer) < 0 ? e.layer() : p.layer; // deterministic, whatever the order
        p.maxEventTime = Math.max(p.maxEventTime, record.timestamp());
        pending.changed(key, p);
    }

    private void flush() {
        pending.writeBack();
        for (KeyValue<String, byte[]> kv : store.allData()) {
            Pending p = pending.get(kv.key);
            if (p == null) {
                p = Pending.fromBytes(kv.value);
            }
            CallPartial out = new CallPartial(p.service, p.layer, p.destination, p.windowStart, p.stats, null, 0);
            // Stamped with its own latest event: the record timestamp is all the next stage needs of it.
            context.forward(new Record<>(p.service, out, Math.max(0, p.maxEventTime)));
            store.delete(kv.key);
            budget.release();
        }
        pending.clear();
        if (heldTick != null) {
            long stamp = Watermarks.stamp(heldTick.tick(), context.currentSystemTimeMs());
            context.forward(new Record<>("", heldTick, stamp));
            heldTick = null;
        }
        long overflow = budget.drainOverflow();
        if (overflow > 0) {
            LOG.warn("call-windows: more than {} (service, destination, window) counts pending in task {} (10 x"
                    + " asyncwatch.call-windows.max-services): {} events were not counted",
                    budget.cap(), context.taskId(), overflow);
        }
    }

    /** The counts of one (service, destination, window) waiting for the next flush. */
    private static final class Pending {
        private static final int VERSION = 1;
        final String service;
        String layer;
        final String destination;
        final long windowStart;
        long maxEventTime = Long.MIN_VALUE;
        final CallStats stats;

        Pending(String service, String layer, String destination, long windowStart) {
            this(service, layer, destination, windowStart, new CallStats());
        }

        private Pending(String service, String layer, String destination, long windowStart, CallStats stats) {
            this.service = service;
            this.layer = layer;
            this.destination = destination;
            this.windowStart = windowStart;
            this.stats = stats;
        }

        byte[] toBytes() {
            Bin.Writer w = Bin.writer().u8(VERSION).str(service).str(layer).str(destination).varlong(windowStart)
                    .varlong(maxEventTime);
            stats.write(w);
            return w.bytes();
        }

        static Pending fromBytes(byte[] b) {
            Bin.Reader r = Bin.versioned(b, VERSION, "pending call counts");
            String service = r.str();
            String layer = r.str();
            String destination = r.str();
            long windowStart = r.varlong();
            long maxEventTime = r.varlong();
            Pending p = new Pending(service, layer, destination, windowStart, CallStats.read(r));
            p.maxEventTime = maxEventTime;
            return p;
        }
    }
}
