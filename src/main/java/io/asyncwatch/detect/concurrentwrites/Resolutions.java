package io.asyncwatch.detect.concurrentwrites;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the team resolves conflicts on each entity type ({@code Order[1337]} is of type {@code Order}), parsed from
 * {@code asyncwatch.concurrent-write.resolution}: {@code Counter=crdt;Session=lww;*=manual}. No Kafka types.
 */
public record Resolutions(Map<String, Hint> byType, Hint fallback) {

    /** The seeds' three ways out of a conflict, in increasing order of work for a human. */
    public enum Hint {
        CRDT("CRDT merge: the replicas converge by themselves; check the merge kept what both writers meant"),
        LWW("last-writer-wins: one of the writes is silently lost; order them by logical time, not wall clock, and"
                + " check that losing the other is acceptable"),
        MANUAL("manual needed: decide which write stands, or merge them by hand");

        private final String advice;

        Hint(String advice) {
            this.advice = advice;
        }

        public String advice() {
            return advice;
        }

        /** What the standup box says: "Manual needed", "Last-writer-wins", "CRDT merge". */
        public String label() {
            return switch (this) {
                case CRDT -> "CRDT merge";
                case LWW -> "Last-writer-wins";
                case MANUAL -> "Manual needed";
            };
        }
    }

    public Resolutions {
        byType = Map.copyOf(byType);
    }

    public static Resolutions parse(String spec) {
        Map<String, Hint> byType = new TreeMap<>();
        Hint fallback = Hint.MANUAL;
        if (spec != null) {
            for (String part : spec.split("[;,]")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq <= 0 || eq == p.length() - 1) {
                    throw new IllegalArgumentException("'" + p + "' is not Type=hint");
                }
                String type = p.substring(0, eq).trim();
                Hint hint = hint(p.substring(eq + 1).trim());
                if (type.equals("*")) {
                    fallback = hint;
                } else if (byType.put(type, hint) != null) {
                    throw new IllegalArgumentException("entity type '" + type + "' is listed twice");
                }
            }
        }
        return new Resolutions(byType, fallback);
    }

    private static Hint hint(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "crdt" -> Hint.CRDT;
            case "lww", "last-writer-wins" -> Hint.LWW;
            case "manual" -> Hint.MANUAL;
            default -> throw new IllegalArgumentException("unknown resolution '" + s + "' (crdt, lww or manual)");
        };
    }

    /** {@code Order[1337]} → {@code Order}; an entity without brackets is its own type. */
    public static String type(String entity) {
        int b = entity.indexOf('[');
        return b > 0 ? entity.substring(0, b) : entity;
    }

    public Hint of(String entity) {
        return byType.getOrDefault(type(entity), fallback);
    }
}
