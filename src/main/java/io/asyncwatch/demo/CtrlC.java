package io.asyncwatch.demo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C for a command that owns a broker and a Streams client: the shutdown hook only signals {@link #requested()}
 * and then holds the JVM until {@link #close()} says the command has cleaned up (closed Streams before the broker,
 * deleted its temp dirs), so an interrupted demo leaves nothing behind, and then exits with the command's status.
 */
final class CtrlC implements AutoCloseable {

    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicInteger exitStatus = new AtomicInteger(1);
    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook;

    CtrlC(String name, Duration maxCleanup) {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                if (cleanedUp.await(maxCleanup.toMillis(), TimeUnit.MILLISECONDS)) {
                    // The command's own status (0 for a stop asked for that cleaned up); without this the JVM
                    // reports the signal (130 or 143) whatever happened.
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(exitStatus.get());
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

    /** The command succeeded: after Ctrl-C the JVM exits 0. */
    @Override
    public void close() {
        close(0);
    }

    /** The command has cleaned up and ends with {@code status}, which is also the exit status after Ctrl-C. */
    void close(int status) {
        exitStatus.set(status);
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running and waits for cleanedUp, counted down above.
        }
    }
}
