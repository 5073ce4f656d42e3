package io.asyncwatch.standup;

import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.serde.Bin;
import io.asyncwatch.state.DecodedEntries;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.StoreMode;
import io.asyncwatch.state.TaskStore;
import io.asyncwatch.time.Watermarks;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The standup stage (one partition): detector points and alerts go into buckets of event time; once the slowest
 * upstream clock (the detectors' ticks) has passed a boundary by {@code settle-ms}, the summary of the period ending
 * there is published. So the summary of a period holds exactly what the detectors published for it, however the
 * inputs interleave: live and replay agree. A point arriving after a summary covering it was published is counted
 * ({@code lateFacts}) and still goes into its bucket for the summaries to come; one older than the period of every
 * summary still to come is counted and not kept.
 *
 * <p>State: one entry per bucket of the last period (plus settle time), the upstream clocks and the next boundaries.
 */
final class StandupProcessor implements Processor<String, StandupFact, String, StandupSummary> {

    static final String STORE = "standup-buckets";
    private static final String META = "standup";
    private static final String CLOCK = "standup-clock";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StandupProcessor.class);
    private static final int META_VERSION = 1;

    record Supplier(StandupSettings settings, Summaries.Thresholds thresholds, Summaries.Sources sources,
                    StoreMode storeMode) implements ProcessorSupplier<String, StandupFact, String, StandupSummary> {
        @Override
        public Processor<String, StandupFact, String, StandupSummary> get() {
            return new StandupProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.boundedTaskStore(STORE, storeMode));
        }
    }

    private final Supplier conf;
    private final StandupSettings s;
    private ProcessorContext<String, StandupSummary> context;
    private TaskStore store;
    private DecodedEntries<Bucket> buckets;
    private StandupClock clock;
    /** Next boundaries to publish (NONE until the clock starts), and points that came after their summary. */
    private long nextRolling;
    private long nextDaily;
    private long published;
    private long lateFacts;

    private StandupProcessor(Supplier conf) {
        this.conf = conf;
        this.s = conf.settings();
    }

    @Override
    public void init(ProcessorContext<String, StandupSummary> context) {
        this.context = context;
        this.store = new TaskStore(context.getStateStore(STORE));
        this.buckets = new DecodedEntries<>(store, Bucket::toBytes);
        // Upstream tasks (detector stages of several partition counts) are learnt as they tick.
        this.clock = StandupClock.fromBytes(store.meta(CLOCK), s.warmupMs());
        byte[] meta = store.meta(META);
        if (meta == null) {
            nextRolling = Watermarks.NONE;
            nextDaily = Watermarks.NONE;
            published = Watermarks.NONE;
            lateFacts = 0;
        } else {
            Bin.Reader r = Bin.versioned(meta, META_VERSION, "standup state");
            nextRolling = r.varlong();
            nextDaily = r.varlong();
            published = r.varlong();
            lateFacts = r.varlong();
        }
    }

    @Override
    public void process(Record<String, StandupFact> record) {
        StandupFact f = record.value();
        if (f.isTick()) {
            boolean moved = clock.observe(f.source(), f.time(), context.currentSystemTimeMs());
            store.putMeta(CLOCK, clock.toBytes());
            String late = clock.drainLateJoiner();
            if (late != null) {
                LOG.warn("standup: upstream task {} was first heard from at {}, behind the standup clock ({}): its"
                        + " points before that count as late (lateFacts); raise asyncwatch.standup.warmup-ms if tasks"
                        + " start that far apart", late, java.time.Instant.ofEpochMilli(f.time()),
                        java.time.Instant.ofEpochMilli(clock.now()));
            }
            if (moved) {
                publishDue(clock.now());
            }
            return;
        }
        long bucket = Math.floorDiv(f.time(), s.bucketMs()) * s.bucketMs();
        if (published != Watermarks.NONE && bucket < published) {
            lateFacts++;
            saveMeta();
            if (bucket + s.periodMs() < Math.min(nextRolling, nextDaily)) {
                return; // no summary to come covers it: counted, not kept
            }
        }
        String key = key(bucket);
        Bucket b = buckets.get(key);
        if (b == null) {
            byte[] raw = store.get(key);
            b = raw == null ? new Bucket() : Bucket.fromBytes(raw);
        }
        if (f.kind() == StandupFact.Kind.METRIC) {
            b.add(f.metric(), s.maxTracked());
        } else {
            b.add(f.alert(), s.maxTracked());
        }
        buckets.changed(key, b);
    }

    private void publishDue(long now) {
        if (now == Watermarks.NONE || now == Watermarks.IDLE) {
            return;
        }
        long settled = now - s.settleMs();
        if (nextDaily == Watermarks.NONE) {
            // The first boundaries after the earliest point (or, without one, after what has settled), not after the
            // moment the clock started, which depends on when the upstream tasks did: live and replay agree.
            Long first = firstBucketFrom(Long.MIN_VALUE);
            long base = first != null ? Math.min(first, settled) : settled;
            nextDaily = nextDaily(base);
            nextRolling = s.rollingEveryMs() == 0 ? Long.MAX_VALUE
                    : Math.floorDiv(base, s.rollingEveryMs()) * s.rollingEveryMs() + s.rollingEveryMs();
        }
        boolean any = false;
        while (Math.min(nextDaily, nextRolling) <= settled) {
            boolean daily = nextDaily <= nextRolling;
            long boundary = daily ? nextDaily : nextRolling;
            NavigableMap<Long, Bucket> period = period(boundary);
            if (!period.isEmpty() || lateFacts > 0) {
                publish(daily ? StandupKind.DAILY : StandupKind.ROLLING, boundary, period);
            }
            if (daily) {
                nextDaily = boundary + 24 * StandupSettings.HOUR;
                if (nextRolling == boundary) {
                    continue; // the rolling summary of the same boundary follows
                }
            } else {
                nextRolling = boundary + s.rollingEveryMs();
            }
            if (period.isEmpty()) {
                skipEmptyBoundaries(settled);
            }
            any = true;
        }
        if (any) {
            forget();
            saveMeta();
        }
    }

    /**
     * After a period without points, jumps to the first boundary whose period holds a bucket still kept (a clock that
     * leapt ahead publishes no empty summary per hour of the leap).
     */
    private void skipEmptyBoundaries(long settled) {
        Long first = firstBucketFrom(Math.min(nextDaily, nextRolling) - s.periodMs());
        long target = first == null ? settled : first;
        if (s.rollingEveryMs() > 0 && nextRolling <= target) {
            nextRolling = Math.floorDiv(target, s.rollingEveryMs()) * s.rollingEveryMs() + s.rollingEveryMs();
        }
        if (nextDaily <= target) {
            nextDaily = nextDaily(target);
        }
    }

    private void publish(StandupKind kind, long boundary, NavigableMap<Long, Bucket> period) {
        StandupSummary summary = Summaries.summarize(kind, boundary - s.periodMs(), boundary, period, s,
                conf.thresholds(), conf.sources(), lateFacts);
        // The rolling summary of a boundary follows its daily one: both report the late points.
        if (kind == StandupKind.ROLLING || s.rollingEveryMs() == 0) {
            lateFacts = 0;
        }
        published = Math.max(published, boundary);
        context.forward(new Record<>(kind.name(), summary, boundary));
    }

    /** The buckets of {@code [boundary - period, boundary)}, decoded, without empty ones. */
    private NavigableMap<Long, Bucket> period(long boundary) {
        NavigableMap<Long, Bucket> out = new TreeMap<>();
        buckets.writeBack();
        for (KeyValue<String, byte[]> kv : store.allData()) {
            long start = bucketOf(kv.key);
            if (start >= boundary - s.periodMs() && start < boundary) {
                Bucket held = buckets.get(kv.key);
                out.put(start, held != null ? held : Bucket.fromBytes(kv.value));
            }
        }
        return out;
    }

    private Long firstBucketFrom(long from) {
        buckets.writeBack();
        for (KeyValue<String, byte[]> kv : store.allData()) {
            long start = bucketOf(kv.key);
            if (start >= from) {
                return start;
            }
        }
        return null;
    }

    /** Drops buckets no summary to come covers. */
    private void forget() {
        long oldestNeeded = Math.min(nextDaily, nextRolling) - s.periodMs();
        buckets.writeBack();
        for (KeyValue<String, byte[]> kv : store.allData()) {
            if (bucketOf(kv.key) + s.bucketMs() <= oldestNeeded) {
                buckets.forget(kv.key);
                store.delete(kv.key);
            }
        }
    }

    private long nextDaily(long after) {
        long day = 24 * StandupSettings.HOUR;
        long at = Math.floorDiv(after, day) * day + s.dailyHourUtc() * StandupSettings.HOUR;
        return at > after ? at : at + day;
    }

    private void saveMeta() {
        store.putMeta(META, Bin.writer().u8(META_VERSION).varlong(nextRolling).varlong(nextDaily).varlong(published)
                .varlong(lateFacts).bytes());
    }

    /** Fixed-width hex of the time with its sign bit flipped: the store's key order is time order, before 1970 too. */
    private static String key(long bucket) {
        String hex = Long.toHexString(bucket ^ Long.MIN_VALUE);
        return "0".repeat(16 - hex.length()) + hex;
    }

    private static long bucketOf(String key) {
        return Long.parseUnsignedLong(key, 16) ^ Long.MIN_VALUE;
    }
}
