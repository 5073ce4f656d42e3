package io.asyncwatch.run;

import org.apache.kafka.clients.consumer.KafkaConsumer;

/** For the side threads that poll a consumer of their own (dashboard feed, Alertmanager sink). */
public final class ConsumerLoops {

    private ConsumerLoops() {
    }

    /**
     * Wakes {@code consumer} (null: not created yet) out of a poll and waits up to 10 s for {@code thread} to end;
     * the caller has already told the loop to stop.
     */
    public static void stop(KafkaConsumer<?, ?> consumer, Thread thread) {
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
