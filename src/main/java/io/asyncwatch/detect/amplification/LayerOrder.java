package io.asyncwatch.detect.amplification;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The order of layers from the entry layer down: configured, or inferred from which layer calls which (a layer that
 * calls another is above it), the contract's api-gateway, service, database deciding what the edges leave open.
 * No Kafka types.
 */
public final class LayerOrder {

    private LayerOrder() {
    }

    /**
     * @param layers   every layer seen
     * @param calls    caller layer to the layers it calls (other than itself)
     */
    public static List<String> infer(Set<String> layers, Map<String, Set<String>> calls) {
        Comparator<String> fallback = Comparator.comparingInt((String l) -> {
            int i = AmplificationSettings.CONTRACT_ORDER.indexOf(l);
            return i < 0 ? AmplificationSettings.CONTRACT_ORDER.size() : i;
        }).thenComparing(Comparator.naturalOrder());
        Map<String, Set<String>> below = new TreeMap<>();
        Map<String, Integer> callers = new TreeMap<>();
        layers.forEach(l -> callers.put(l, 0));
        // Edges are taken in fallback order; one that would close a cycle is ignored (layers calling each other say
        // nothing about which is above).
        List<String[]> edges = new ArrayList<>();
        calls.forEach((from, tos) -> tos.forEach(to -> edges.add(new String[] {from, to})));
        edges.sort(Comparator.comparing((String[] e) -> e[0], fallback).thenComparing(e -> e[1], fallback));
        for (String[] e : edges) {
            if (!layers.contains(e[0]) || !layers.contains(e[1]) || e[0].equals(e[1]) || reaches(below, e[1], e[0])) {
                continue;
            }
            if (below.computeIfAbsent(e[0], k -> new TreeSet<>()).add(e[1])) {
                callers.merge(e[1], 1, Integer::sum);
            }
        }
        List<String> order = new ArrayList<>();
        TreeSet<String> ready = new TreeSet<>(fallback);
        callers.forEach((l, n) -> {
            if (n == 0) {
                ready.add(l);
            }
        });
        while (!ready.isEmpty()) {
            String l = ready.pollFirst();
            order.add(l);
            for (String b : below.getOrDefault(l, Set.of())) {
                if (callers.merge(b, -1, Integer::sum) == 0) {
                    ready.add(b);
                }
            }
        }
        return order;
    }

    private static boolean reaches(Map<String, Set<String>> below, String from, String to) {
        if (from.equals(to)) {
            return true;
        }
        for (String b : below.getOrDefault(from, Set.of())) {
            if (reaches(below, b, to)) {
                return true;
            }
        }
        return false;
    }
}
