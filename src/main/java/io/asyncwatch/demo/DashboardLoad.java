package io.asyncwatch.demo;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.dashboard.Dashboard;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code bench --dashboard}: the dashboard beside the application as {@code run} starts it, with a page open and
 * Prometheus scraping (both every second), so the bench measures what they cost detection; on close it says how much
 * heap the dashboard holds.
 */
final class DashboardLoad implements AutoCloseable {

    private Dashboard dashboard;
    private final String url;
    private final Thread poller;
    private final PrintStream err;
    private volatile boolean stopped;
    private long pages;
    private long scrapes;
    private long failures;
    private long bytes;

    private DashboardLoad(Dashboard dashboard, PrintStream err) {
        this.dashboard = dashboard;
        this.url = dashboard.url();
        this.err = err;
        this.poller = new Thread(this::poll, "bench-dashboard-client");
        this.poller.setDaemon(true);
    }

    static DashboardLoad start(AsyncwatchConfig cfg, KafkaStreams streams, PrintStream err) {
        try {
            DashboardLoad load = new DashboardLoad(Dashboard.start(cfg, streams::metrics, "127.0.0.1:0"), err);
            load.poller.start();
            return load;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void poll() {
        HttpClient http = HttpClient.newHttpClient();
        while (!stopped) {
            try {
                bytes += http.send(HttpRequest.newBuilder(URI.create(url + "api/state")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body().length;
                pages++;
                bytes += http.send(HttpRequest.newBuilder(URI.create(url + "metrics")).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body().length;
                scrapes++;
            } catch (IOException e) {
                failures++; // the next round tries again
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(1_000); // a page's refresh and a scrape interval; after a failure too (no busy loop)
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        poller.interrupt();
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long with = usedAfterGc();
        int series = dashboard.state().seriesCount();
        int episodes = dashboard.state().episodeCount();
        dashboard.close();
        dashboard = null; // what it held can go now
        long without = usedAfterGc();
        err.printf("bench: dashboard: %,d page loads and %,d scrapes (%,d KiB served, %,d rounds failed); holds %,d"
                        + " series and %,d episodes, about %,d KiB of heap (used heap after GC with it, minus after"
                        + " closing it)%n",
                pages, scrapes, bytes / 1024, failures, series, episodes, Math.max(0, with - without) / 1024);
    }

    private static long usedAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
