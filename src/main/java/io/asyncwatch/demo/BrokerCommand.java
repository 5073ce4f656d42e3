package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code asyncwatch broker}: the embedded single-node broker in a process of its own, for trying {@code run}
 * without Docker and for the crash suite, which must be able to kill the application without killing the broker.
 * Prints {@code bootstrap.servers=HOST:PORT} on stdout once clients can connect; Ctrl-C or SIGTERM stops it
 * cleanly (exit 0).
 */
public final class BrokerCommand {

    private static final Duration MAX_STOP = Duration.ofSeconds(30);

    private BrokerCommand() {
    }

    /**
     * @param dataDir kept between starts (the topics survive a restart); {@code null}: a temp directory deleted on exit
     * @param port    the client port, fixed so that clients reconnect after a restart; 0 picks a free one
     */
    public static int run(AsyncwatchConfig config, Path dataDir, int port, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        try (CtrlC stop = new CtrlC("asyncwatch-broker-stop", MAX_STOP);
             DemoBroker broker = DemoBroker.start(config, dataDir, port, "broker", err)) {
            out.println("bootstrap.servers=" + broker.bootstrapServers());
            out.flush();
            err.println("broker: Ctrl-C stops it");
            while (!stop.await(Long.MAX_VALUE)) {
                // Only a stop request ends the wait.
            }
            err.println("broker: stopping");
        }
        return 0;
    }
}
