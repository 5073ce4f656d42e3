package io.asyncwatch.demo;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/** Records a fatal Streams error (uncaught exception or ERROR state) so the waiting loops can stop early. */
final class ErrorTracker {

    private final AtomicReference<String> error = new AtomicReference<>();
    private final CountDownLatch failedLatch = new CountDownLatch(1);

    /** Call before {@code streams.start()}. */
    void attach(KafkaStreams streams, PrintStream err) {
        streams.setUncaughtExceptionHandler(e -> {
            error.compareAndSet(null, String.valueOf(e));
            failedLatch.countDown();
            err.println("asyncwatch: fatal error in a stream thread: " + e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                error.compareAndSet(null, "state " + before + " -> ERROR");
                failedLatch.countDown();
            }
        });
    }

    boolean failed() {
        return error.get() != null;
    }

    /** Waits up to {@code millis} for a failure; true if there was one. */
    boolean awaitFailure(long millis) throws InterruptedException {
        return failedLatch.await(millis, TimeUnit.MILLISECONDS);
    }

    String describe() {
        return error.get();
    }
}
