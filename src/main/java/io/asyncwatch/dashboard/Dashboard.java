package io.asyncwatch.dashboard;

import io.asyncwatch.config.AsyncwatchConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The dashboard as {@code run}, {@code demo} and {@code dashboard} start it: the bounded state, the feed reading
 * asyncwatch's topics into it, and the web server with the page and {@code /metrics}.
 */
public final class Dashboard implements AutoCloseable {

    private final DashboardState state;
    private final TopicFeed feed;
    private final DashboardServer server;

    private Dashboard(DashboardState state, TopicFeed feed, DashboardServer server) {
        this.state = state;
        this.feed = feed;
        this.server = server;
    }

    /**
     * @param streams the Streams client's metrics for {@code /metrics}, or null when the topology runs elsewhere
     * @param address where to listen; null: {@code asyncwatch.dashboard.address}
     */
    public static Dashboard start(AsyncwatchConfig config, Supplier<Map<MetricName, ? extends Metric>> streams,
                                  String address) throws IOException {
        DashboardSettings s = config.settings(DashboardSettings.SPEC);
        DashboardState state = new DashboardState(s);
        TopicFeed feed = TopicFeed.start(config, state);
        try {
            DashboardServer server = DashboardServer.start(config, address == null ? s.address() : address, state,
                    new PrometheusMetrics(state, streams));
            server.healthFrom(feed::lastError);
            return new Dashboard(state, feed, server);
        } catch (IOException | RuntimeException e) {
            feed.close();
            throw new IOException("cannot serve the dashboard on " + (address == null ? s.address() : address)
                    + " (asyncwatch.dashboard.address): " + e.getMessage(), e);
        }
    }

    /**
     * As {@code run} and {@code demo} do: starts it when {@code asyncwatch.dashboard.enabled}, says where on
     * {@code err}; a failure to serve is reported and detection goes on without it.
     */
    public static Dashboard startIfEnabled(AsyncwatchConfig config, Supplier<Map<MetricName, ? extends Metric>> streams,
                                           String address, PrintStream err) {
        if (!config.settings(DashboardSettings.SPEC).enabled()) {
            return null;
        }
        try {
            Dashboard d = start(config, streams, address);
            err.println("asyncwatch: dashboard at " + d.url() + " (Prometheus: " + d.url() + "metrics)");
            return d;
        } catch (IOException e) {
            err.println("asyncwatch: " + e.getMessage() + "; detection goes on without it");
            return null;
        }
    }

    public String url() {
        return server.url();
    }

    public DashboardState state() {
        return state;
    }

    @Override
    public void close() {
        server.close();
        feed.close();
    }
}
