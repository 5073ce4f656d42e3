package io.asyncwatch.report;

import io.asyncwatch.config.AsyncwatchConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code asyncwatch report RECORDING --out report.html}: the post-mortem page of a recorded incident. */
public final class ReportCommand {

    private ReportCommand() {
    }

    public static int run(AsyncwatchConfig config, Path recording, Path out, PrintStream err) throws IOException {
        long started = System.nanoTime();
        PostMortem.Replay r;
        try (BufferedReader in = Files.newBufferedReader(recording, StandardCharsets.UTF_8)) {
            r = PostMortem.replay(config, recording.toString(), in);
        }
        long replayed = System.nanoTime();
        String html = PostMortem.html(config, r);
        Files.writeString(out, html, StandardCharsets.UTF_8);
        err.printf("report: %,d records replayed in %.1f s (%,.0f records/s): %d alerts, %,d metric points;"
                        + " %s written (%,d KiB) in %.1f s%n", r.summary().records(), (replayed - started) / 1e9,
                r.summary().records() / Math.max(1e-9, (replayed - started) / 1e9), r.alerts().size(),
                r.metrics().size(), out, html.length() / 1024, (System.nanoTime() - replayed) / 1e9);
        r.summary().skippedLines().forEach(l -> err.println("  skipped " + l));
        return 0;
    }
}
