package io.asyncwatch.detect.causality;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Business operations that must happen in order on one entity (the seeds' {@code Order[42]->Pay} before
 * {@code Pay[42]->Order}): ordered lists such as {@code create>update>delete}. Two operations of one entity in a list
 * are judged by their logical clocks where both carry them (vector clocks, else Lamport clocks) and by their
 * timestamps otherwise, and the verdict says which. No Kafka types.
 */
public final class BusinessOrder {

    /** How a pair was judged. */
    public enum Method { VECTOR_CLOCKS, LAMPORT_CLOCKS, TIMESTAMPS }

    /**
     * What went wrong: the later operation came first ({@code REVERSED}; {@code IMPOSSIBLE} when the earlier one
     * creates the entity: nothing can happen to it before it exists), or their vector clocks are concurrent, so
     * nothing made the later one wait for the earlier ({@code UNORDERED}; equal clocks too).
     */
    public enum Kind { REVERSED, IMPOSSIBLE, UNORDERED }

    /** One operation on an entity as the judge needs it; {@code lamport} < 0 and an empty clock mean absent. */
    public record Op(String operation, String eventId, String node, long timestamp, long lamport,
                     Map<String, Long> vectorClock) {
    }

    /** {@code first} must come before {@code second} and did not. {@code gapMs}: first's stamp minus second's. */
    public record Violation(Op first, Op second, Kind kind, Method method, long gapMs) {
        /** "order>pay" */
        public String rule() {
            return first.operation() + ">" + second.operation();
        }
    }

    private final List<List<String>> sequences;
    private final Set<String> operations = new TreeSet<>();

    private BusinessOrder(List<List<String>> sequences) {
        this.sequences = sequences;
        sequences.forEach(operations::addAll);
    }

    /**
     * Parses {@code "create>update>delete; order>pay"}: sequences separated by {@code ;}, operations by {@code >},
     * compared without case. Empty: no rule.
     */
    public static BusinessOrder parse(String spec) {
        List<List<String>> out = new ArrayList<>();
        if (spec != null) {
            for (String seq : spec.split(";")) {
                if (seq.isBlank()) {
                    continue;
                }
                List<String> ops = new ArrayList<>();
                for (String op : seq.split(">")) {
                    String o = normalise(op);
                    if (o.isEmpty()) {
                        throw new IllegalArgumentException("empty operation in '" + seq.trim() + "'");
                    }
                    if (ops.contains(o)) {
                        throw new IllegalArgumentException("operation '" + o + "' twice in '" + seq.trim() + "'");
                    }
                    ops.add(o);
                }
                if (ops.size() < 2) {
                    throw new IllegalArgumentException("'" + seq.trim() + "' needs at least two operations (a>b)");
                }
                out.add(List.copyOf(ops));
            }
        }
        return new BusinessOrder(List.copyOf(out));
    }

    static String normalise(String operation) {
        return operation == null ? "" : operation.trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BusinessOrder b && b.sequences.equals(sequences);
    }

    @Override
    public int hashCode() {
        return sequences.hashCode();
    }

    /** As configured: "create>update>delete;order>pay". */
    @Override
    public String toString() {
        return String.join(";", sequences.stream().map(seq -> String.join(">", seq)).toList());
    }

    public boolean isEmpty() {
        return sequences.isEmpty();
    }

    /** Is this operation in any sequence (only those are kept per entity)? */
    public boolean concerns(String operation) {
        return operations.contains(normalise(operation));
    }

    /**
     * Judges two operations on one entity, in either argument order: empty when no sequence orders them or they are
     * in order.
     */
    public Optional<Violation> judge(Op x, Op y, long toleranceMs) {
        String ox = normalise(x.operation());
        String oy = normalise(y.operation());
        for (List<String> seq : sequences) {
            int ix = seq.indexOf(ox);
            int iy = seq.indexOf(oy);
            if (ix < 0 || iy < 0 || ix == iy) {
                continue;
            }
            Op first = ix < iy ? x : y;
            Op second = ix < iy ? y : x;
            boolean creates = Math.min(ix, iy) == 0 && seq.get(0).equals("create");
            return verdict(first, second, creates, toleranceMs);
        }
        return Optional.empty();
    }

    private static Optional<Violation> verdict(Op first, Op second, boolean creates, long toleranceMs) {
        long gap = first.timestamp() - second.timestamp();
        Kind reversed = creates ? Kind.IMPOSSIBLE : Kind.REVERSED;
        if (LogicalClocks.present(first.vectorClock()) && LogicalClocks.present(second.vectorClock())) {
            return switch (LogicalClocks.compare(first.vectorClock(), second.vectorClock())) {
                case BEFORE -> Optional.empty();
                case CONCURRENT, EQUAL -> Optional.of(new Violation(first, second, Kind.UNORDERED, Method.VECTOR_CLOCKS,
                        gap));
                default -> Optional.of(new Violation(first, second, reversed, Method.VECTOR_CLOCKS, gap));
            };
        }
        if (first.lamport() >= 0 && second.lamport() >= 0) {
            return second.lamport() > first.lamport() ? Optional.empty()
                    : Optional.of(new Violation(first, second, reversed, Method.LAMPORT_CLOCKS, gap));
        }
        return gap > toleranceMs ? Optional.of(new Violation(first, second, reversed, Method.TIMESTAMPS, gap))
                : Optional.empty();
    }
}
