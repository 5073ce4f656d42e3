package io.asyncwatch.detect.amplification;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the layer-amplification judge remembers, all of it small (a few layers, services and windows): the layer of
 * each service and which layer calls which (both forgotten a baseline span after last seen), and per layer the
 * attempts and user intents of recent windows.
 */
final class LayerState {

    private static final int VERSION = 1;

    record Seen(String value, long lastSeen) {
    }

    /** One window of one layer; {@code excluded}: it alerted, so it is not part of the baseline. */
    record Point(long windowStart, long attempts, long intents, boolean excluded) {
    }

    final Map<String, Seen> serviceLayers = new TreeMap<>();
    /** "caller layer|callee layer" to when last seen. */
    final Map<String, Long> edges = new TreeMap<>();
    final Map<String, List<Point>> history = new TreeMap<>();

    String layerOf(String service) {
        Seen s = serviceLayers.get(service);
        return s == null ? null : s.value();
    }

    Set<String> layers() {
        Set<String> out = new TreeSet<>();
        serviceLayers.values().forEach(s -> out.add(s.value()));
        return out;
    }

    Map<String, Set<String>> calls() {
        Map<String, Set<String>> out = new TreeMap<>();
        edges.keySet().forEach(e -> {
            String[] p = e.split("\\|", 2);
            out.computeIfAbsent(p[0], k -> new TreeSet<>()).add(p[1]);
        });
        return out;
    }

    /** Usual attempts per intent of {@code layer} over [start - span, start), and the windows it rests on. */
    double[] baseline(String layer, long start, long spanMs) {
        long attempts = 0;
        long intents = 0;
        int windows = 0;
        for (Point p : history.getOrDefault(layer, List.of())) {
            if (p.windowStart() < start && p.windowStart() >= start - spanMs && !p.excluded() && p.intents() > 0) {
                attempts += p.attempts();
                intents += p.intents();
                windows++;
            }
        }
        return new double[] {intents == 0 ? Double.NaN : (double) attempts / intents, windows};
    }

    long attemptsAt(String layer, long windowStart) {
        for (Point p : history.getOrDefault(layer, List.of())) {
            if (p.windowStart() == windowStart) {
                return p.attempts();
            }
        }
        return 0;
    }

    void add(String layer, Point p) {
        history.computeIfAbsent(layer, k -> new ArrayList<>()).add(p);
    }

    /** Drops what is older than {@code before}. */
    void forget(long before) {
        serviceLayers.values().removeIf(s -> s.lastSeen() < before);
        edges.values().removeIf(t -> t < before);
        history.values().forEach(l -> l.removeIf(p -> p.windowStart() < before));
        history.values().removeIf(List::isEmpty);
    }

    byte[] toBytes() {
        Bin.Writer w = Bin.writer().u8(VERSION).varlong(serviceLayers.size());
        serviceLayers.forEach((k, s) -> w.str(k).str(s.value()).varlong(s.lastSeen()));
        w.varlong(edges.size());
        edges.forEach((k, t) -> w.str(k).varlong(t));
        w.varlong(history.size());
        history.forEach((layer, points) -> {
            w.str(layer).varlong(points.size());
            points.forEach(p -> w.varlong(p.windowStart()).varlong(p.attempts()).varlong(p.intents())
                    .bool(p.excluded()));
        });
        return w.bytes();
    }

    static LayerState fromBytes(byte[] b) {
        LayerState s = new LayerState();
        if (b == null) {
            return s;
        }
        Bin.Reader r = Bin.versioned(b, VERSION, "layer state");
        long n = r.varlong();
        for (long i = 0; i < n; i++) {
            s.serviceLayers.put(r.str(), new Seen(r.str(), r.varlong()));
        }
        n = r.varlong();
        for (long i = 0; i < n; i++) {
            s.edges.put(r.str(), r.varlong());
        }
        n = r.varlong();
        for (long i = 0; i < n; i++) {
            String layer = r.str();
            long m = r.varlong();
            List<Point> points = new ArrayList<>();
            for (long j = 0; j < m; j++) {
                points.add(new Point(r.varlong(), r.varlong(), r.varlong(), r.bool()));
            }
            s.history.put(layer, points);
        }
        return s;
    }
}
