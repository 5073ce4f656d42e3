package io.asyncwatch.alert;

import io.asyncwatch.model.Alert;
import io.asyncwatch.serde.JsonCodec;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The one alert stage every detector feeds: findings keyed by fingerprint in, alerts out. Findings of all
 * detectors are repartitioned by fingerprint so each fingerprint's episode lives in exactly one task.
 */
public final class AlertStage {

    public static final String STORE = "alert-episodes";

    private AlertStage() {
    }

    public static KStream<String, Alert> wire(KStream<String, Finding> findingsByFingerprint, int resolveAfter,
                                              boolean inMemoryStores) {
        return findingsByFingerprint
                .repartition(Repartitioned.with(Serdes.String(), new JsonCodec<>(Finding.class).serde())
                        .withName("alert-findings"))
                .process(new Supplier(resolveAfter, inMemoryStores), Named.as("alert-stage"));
    }

    private record Supplier(int resolveAfter, boolean inMemory) implements ProcessorSupplier<String, Finding, String, Alert> {
        @Override
        public Processor<String, Finding, String, Alert> get() {
            return new AlertProcessor(new AlertLifecycle(resolveAfter, Playbooks.load()));
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(Stores.keyValueStoreBuilder(
                    inMemory ? Stores.inMemoryKeyValueStore(STORE) : Stores.persistentKeyValueStore(STORE),
                    Serdes.String(), new JsonCodec<>(Episode.class).serde()));
        }
    }

    private static final class AlertProcessor implements Processor<String, Finding, String, Alert> {
        private final AlertLifecycle lifecycle;
        private KeyValueStore<String, Episode> episodes;
        private ProcessorContext<String, Alert> context;

        AlertProcessor(AlertLifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        @Override
        public void init(ProcessorContext<String, Alert> context) {
            this.context = context;
            this.episodes = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, Finding> record) {
            Finding finding = record.value();
            Episode before = episodes.get(finding.fingerprint());
            AlertLifecycle.Step step = lifecycle.apply(before, finding);
            if (step.episode() == null) {
                if (before != null) {
                    episodes.delete(finding.fingerprint());
                }
            } else if (!step.episode().equals(before)) {
                episodes.put(finding.fingerprint(), step.episode());
            }
            step.published().ifPresent(alert -> context.forward(
                    new Record<>(alert.fingerprint(), alert, finding.windowEnd(), record.headers())));
        }
    }
}
