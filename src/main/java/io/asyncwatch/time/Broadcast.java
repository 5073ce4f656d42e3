package io.asyncwatch.time;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Sends clock ticks to every partition of a re-keyed stream and everything else by key: each downstream task then
 * knows how far every upstream task has got, even when no record of that task is keyed to it.
 */
public final class Broadcast<K, V> implements StreamPartitioner<K, V> {

    private final Predicate<V> isTick;
    /** Every partition, for the last partition count seen: a lookup broadcast per record must not build a set. */
    private volatile AllPartitions all = new AllPartitions(0, Optional.of(Set.of()));

    private record AllPartitions(int count, Optional<Set<Integer>> partitions) {
    }

    public Broadcast(Predicate<V> isTick) {
        this.isTick = isTick;
    }

    /** Empty: partition by key as usual. */
    @Override
    public Optional<Set<Integer>> partitions(String topic, K key, V value, int numPartitions) {
        if (value == null || !isTick.test(value)) {
            return Optional.empty();
        }
        AllPartitions a = all;
        if (a.count() != numPartitions) {
            a = new AllPartitions(numPartitions,
                    Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toUnmodifiableSet())));
            all = a;
        }
        return a.partitions();
    }
}
