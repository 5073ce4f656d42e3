package io.asyncwatch.demo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a command that owns a broker and a Streams client: the shutdown hook only signals {@link #requested()}
 * and then holds the JVM until {@link #close()} says the command has cleaned up (closed Streams before the broker,
 * deleted its temp dirs), so an interrupted demo leaves nothing behind, and then exits 0.
 */
final class CtrlC implements AutoCloseable {

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    CtrlC(String name, Duration maxCleanup) {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                if (cleanedUp.await(maxCleanup.toMillis(), TimeUnit.MILLISECONDS)) {
                    // A stop asked for that cleaned up is a success; without this the JVM reports the signal
                    // (130 or 143) as the exit status.
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(0);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    boolean requested() {
        return stop.getCount() == 0;
    }

    /** Waits up to {@code millis} for Ctrl-C; true if it came. */
    boolean await(long millis) throws InterruptedException {
        return stop.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and waits for cleanedUp, counted down above.
        }
    }
}
