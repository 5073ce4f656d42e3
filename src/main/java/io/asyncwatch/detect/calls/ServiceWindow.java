package io.asyncwatch.detect.calls;

import io.asyncwatch.serde.Bin;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;

/**
 * A closed window of one service's calls, merged over every input partition, one {@link CallStats} per
 * destination; or (service null) the clock tick of the task that closes them, {@code source}.
 *
 * @param edges destination ("" when the events named none) to its calls, sorted
 */
public record ServiceWindow(String service, String layer, long windowStart, long windowEnd,
                            Map<String, CallStats> edges, String source, long tick) {

    private static final int VERSION = 1;

    public static final Serde<ServiceWindow> SERDE = Bin.serde(ServiceWindow::toBytes, ServiceWindow::fromBytes);

    public ServiceWindow {
        edges = edges == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(edges));
    }

    public static ServiceWindow tick(String source, long time) {
        return new ServiceWindow(null, null, 0, 0, null, source, time);
    }

    public boolean isTick() {
        return service == null;
    }

    /** Every destination's calls together. */
    public CallStats total() {
        CallStats t = new CallStats();
        edges.values().forEach(t::merge);
        return t;
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).str(service).str(source).varlong(tick);
        if (service != null) {
            w.str(layer).varlong(windowStart).varlong(windowEnd).varlong(edges.size());
            edges.forEach((d, s) -> {
                w.str(d);
                s.write(w);
            });
        }
        return w.bytes();
    }

    static ServiceWindow fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "service window");
        String service = r.str();
        String source = r.str();
        long tick = r.varlong();
        if (service == null) {
            return tick(source, tick);
        }
        String layer = r.str();
        long start = r.varlong();
        long end = r.varlong();
        long n = r.varlong();
        Map<String, CallStats> edges = new TreeMap<>();
        for (long i = 0; i < n; i++) {
            edges.put(r.str(), CallStats.read(r));
        }
        return new ServiceWindow(service, layer, start, end, edges, source, tick);
    }
}
