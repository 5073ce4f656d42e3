package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.ingest.EventTime;
import io.asyncwatch.ingest.Origin;
import io.asyncwatch.model.RequestEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Keeps one {@link RetryHistory} per service and closes windows as stream time passes them: on each event for
 * its own service, and on a stream-time punctuation for services that went quiet (a storm must resolve even if
 * its service stops sending).
 */
final class RetryStormProcessor implements Processor<String, RequestEvent, String, RetryStorm.Output> {

    /** Per service: open windows and bookkeeping, written on every event. */
    static final String WINDOWS_STORE = "retry-storm-windows";
    /** Per service: the closed windows of the baseline hour, written when a window closes. */
    static final String HISTORY_STORE = "retry-storm-history";

    record Supplier(RetryStormSettings settings, long graceMs, int calmWindowsToReport, boolean inMemory)
            implements ProcessorSupplier<String, RequestEvent, String, RetryStorm.Output> {
        @Override
        public Processor<String, RequestEvent, String, RetryStorm.Output> get() {
            return new RetryStormProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(store(WINDOWS_STORE), store(HISTORY_STORE));
        }

        private StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
            return Stores.keyValueStoreBuilder(
                    inMemory ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name),
                    Serdes.String(), Serdes.ByteArray());
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, RetryStorm.Output> context;
    private KeyValueStore<String, byte[]> windows;
    private KeyValueStore<String, byte[]> history;

    private RetryStormProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, RetryStorm.Output> context) {
        this.context = context;
        this.windows = context.getStateStore(WINDOWS_STORE);
        this.history = context.getStateStore(HISTORY_STORE);
        long sweepEvery = Math.max(1_000, conf.settings().windowMs() / 6);
        context.schedule(Duration.ofMillis(sweepEvery), PunctuationType.STREAM_TIME, ts -> sweep());
    }

    @Override
    public void process(Record<String, RequestEvent> record) {
        RequestEvent event = record.value();
        String service = event.service();
        long streamTime = context.currentStreamTimeMs();
        RetryHistory h = load(service);
        emit(h.closeDue(service, streamTime, conf.graceMs(), conf.calmWindowsToReport(), conf.settings()));
        boolean suspect = EventTime.wasClockSuspect(event.timestamp(), record.timestamp());
        boolean counted = h.add(record.timestamp(), streamTime, conf.graceMs(), event.layer(), event.isRetry(),
                suspect, event.eventId(), conf.settings());
        save(service, h);
        if (!counted) {
            String reason = "requests: late event beyond the " + conf.graceMs() + " ms grace period: event time "
                    + Instant.ofEpochMilli(record.timestamp()) + " but stream time is already "
                    + Instant.ofEpochMilli(streamTime) + "; counted as lateEvents in " + service
                    + "'s next retry_multiplier metric, not in its window";
            context.forward(record.withValue(
                    new RetryStorm.Output(null, event, reason, Origin.of(record.headers()).orElse(null))));
        }
    }

    private void sweep() {
        long streamTime = context.currentStreamTimeMs();
        List<KeyValue<String, RetryHistory>> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = windows.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> kv = all.next();
                String service = kv.key;
                RetryHistory h = RetryHistory.load(kv.value, () -> history.get(service));
                if (h.hasDue(streamTime, conf.graceMs(), conf.settings())) {
                    due.add(KeyValue.pair(kv.key, h));
                }
            }
        }
        for (KeyValue<String, RetryHistory> kv : due) {
            List<ClosedWindow> closed = kv.value.closeDue(kv.key, streamTime, conf.graceMs(),
                    conf.calmWindowsToReport(), conf.settings());
            save(kv.key, kv.value);
            emit(closed);
        }
    }

    private RetryHistory load(String service) {
        byte[] open = windows.get(service);
        return open == null ? new RetryHistory() : RetryHistory.load(open, () -> history.get(service));
    }

    private void save(String service, RetryHistory h) {
        windows.put(service, h.openBytes());
        if (h.historyChanged()) {
            history.put(service, h.historyBytes());
        }
    }

    private void emit(List<ClosedWindow> closed) {
        for (ClosedWindow w : closed) {
            context.forward(new Record<>(w.service(), new RetryStorm.Output(w, null, null, null), w.windowEnd()));
        }
    }
}
