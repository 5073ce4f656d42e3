package io.asyncwatch.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.report.WebResources;
import io.asyncwatch.serde.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's web server (the JDK's own): the page and its script, the ECharts bundle (from the classes: no
 * request leaves asyncwatch), {@code /api/state} (the panels' data, which the page asks for every
 * {@code refresh-ms}), {@code /metrics} for Prometheus and {@code /healthz}. Four threads, requests and answers
 * bounded in time: slow clients cannot take more, and nothing here runs on a stream thread. The files are read once,
 * at start (a build without them fails there, not with a blank page).
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);
    private static final Map<String, String> STATIC = Map.of(
            "/", "web/dashboard/index.html",
            "/app.js", "web/dashboard/app.js",
            "/app.css", "web/dashboard/app.css",
            "/echarts.min.js", WebResources.ECHARTS,
            "/LICENSE-echarts", "web/echarts/LICENSE");

    private final HttpServer server;
    private final ExecutorService executor;
    private final AsyncwatchConfig config;
    private final DashboardState state;
    private final PrometheusMetrics metrics;
    private final Map<String, byte[]> files;
    private volatile java.util.function.Supplier<Exception> feedError;
    /** The page's data for the state's version it was built from: every open page asks for it each refresh. */
    private volatile Page page;

    private record Page(long version, byte[] body) {
    }

    private DashboardServer(HttpServer server, ExecutorService executor, AsyncwatchConfig config,
                            DashboardState state, PrometheusMetrics metrics, Map<String, byte[]> files) {
        this.files = files;
        this.server = server;
        this.executor = executor;
        this.config = config;
        this.state = state;
        this.metrics = metrics;
    }

    /** Starts serving on {@code address} (host:port; port 0 picks a free one). */
    public static DashboardServer start(AsyncwatchConfig config, String address, DashboardState state,
                                        PrometheusMetrics metrics) throws IOException {
        Map<String, byte[]> files = new java.util.HashMap<>();
        STATIC.forEach((path, name) -> files.put(path, WebResources.bytes(name)));
        String host = address.substring(0, address.lastIndexOf(':'));
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        // A client that sends half a request or never reads its answer must not hold a worker for good (the JDK's
        // server waits for ever by default); read once, when the first server is created.
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime",
                "10"));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime",
                "30"));
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "asyncwatch-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        DashboardServer d = new DashboardServer(server, executor, config, state, metrics, Map.copyOf(files));
        server.createContext("/", d::handle);
        server.start();
        return d;
    }

    /** What {@code /healthz} reports: the feed's last error, null while it reads fine. */
    void healthFrom(java.util.function.Supplier<Exception> error) {
        this.feedError = error;
    }

    public String url() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getHostString();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                send(x, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/api/state")) {
                byte[] body;
                try {
                    body = page();
                } catch (RuntimeException e) {
                    LOG.warn("dashboard: building the page's data failed", e);
                    send(x, 500, "text/plain; charset=utf-8", ("failed: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                send(x, 200, "application/json; charset=utf-8", body);
            } else if (path.equals("/metrics")) {
                // Written whole before the status: a failure must be a failed scrape, not an empty good one.
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(64 * 1024);
                try {
                    metrics.write(out);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("dashboard: /metrics failed", e);
                    send(x, 500, "text/plain; charset=utf-8", ("failed: " + e + "\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                send(x, 200, PrometheusMetrics.contentType(), out.toByteArray());
            } else if (path.equals("/healthz")) {
                Exception feed = feedError == null ? null : feedError.get();
                if (feed != null) {
                    send(x, 503, "text/plain; charset=utf-8", ("reading asyncwatch's topics fails: " + feed + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                } else {
                    send(x, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
                }
            } else if (files.containsKey(path)) {
                send(x, 200, type(path), files.get(path));
            } else {
                send(x, 404, "text/plain; charset=utf-8", ("no " + path + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("dashboard: request failed: {}", e.toString());
        }
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'");
        x.sendResponseHeaders(status, x.getRequestMethod().equals("HEAD") ? -1 : body.length);
        if (!x.getRequestMethod().equals("HEAD")) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String type(String path) {
        if (path.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (path.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return path.equals("/") ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
    }

    /** The page's data, built again only when the state has changed since. */
    private byte[] page() {
        Page p = page;
        if (p != null && p.version() == state.version()) {
            return p.body();
        }
        DashboardState.Snapshot snapshot = state.snapshot();
        byte[] body = Json.write(Panels.build(config, snapshot).put("refreshMs",
                config.settings(DashboardSettings.SPEC).refreshMs()));
        page = new Page(snapshot.version(), body);
        return body;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
