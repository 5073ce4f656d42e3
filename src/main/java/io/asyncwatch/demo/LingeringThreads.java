package io.asyncwatch.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Non-daemon threads would keep the JVM alive after a command returns; naming them explains a hang. */
final class LingeringThreads {

    private LingeringThreads() {
    }

    /** Prints the live non-daemon threads other than the caller, the JVM's own and the named shutdown hook. */
    static void report(PrintStream err, String shutdownHookName) {
        List<String> alive = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.isDaemon() && t != Thread.currentThread() && !t.getName().equals("DestroyJavaVM")
                    && !t.getName().startsWith(shutdownHookName)) {
                alive.add(t.getName());
            }
        }
        if (!alive.isEmpty()) {
            err.println("asyncwatch: note: non-daemon threads still running: " + alive);
        }
    }
}
