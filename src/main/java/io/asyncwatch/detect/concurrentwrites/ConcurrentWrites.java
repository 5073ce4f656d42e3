package io.asyncwatch.detect.concurrentwrites;

import io.asyncwatch.alert.AlertPolicy;
import io.asyncwatch.alert.Finding;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.config.SettingsSpec;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.model.AlertType;
import io.asyncwatch.model.Kind;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.model.Severity;
import io.asyncwatch.time.Broadcast;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Concurrent-write conflicts: the seeds' "any concurrent writes to the same entity?", answered continuously. Two
 * writes of one entity by different nodes, neither of which saw the other by their vector clocks (ALERT), or without
 * vector clocks within the same second (WARN, a possible conflict); see {@link WriteFrontier}.
 *
 * <p>Shape: only WRITE events with an entity are projected and re-keyed by entity ({@link EntityWritesProcessor}, the
 * entity's frontier); the conflicts (few) go to one partition, counted per window ({@link ConflictWindowsProcessor}):
 * a metric per window for the standup, and a finding per conflicted entity, one episode per entity.
 */
public final class ConcurrentWrites implements Detector {

    public static final String NAME = "concurrent-write";
    public static final String METRIC = "concurrent_writes";
    static final String ALL = "all";
    /** Entities named in the metric's {@code topEntities}. */
    static final int TOP_ENTITIES = 5;
    /** The group of possible conflicts on entities whose name has no {@code Type[...]} form. */
    static final String UNTYPED = "(untyped)";
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter INSTANT = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return ConcurrentWriteSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.CONCURRENT_WRITE, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        return config.settings(ConcurrentWriteSettings.SPEC).windowMs() + config.eventTime().graceMs();
    }

    static boolean relevant(RequestEvent e) {
        return e.kind() == Kind.WRITE && e.entity() != null && !e.entity().isBlank();
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        ConcurrentWriteSettings s = config.settings(ConcurrentWriteSettings.SPEC);
        long grace = config.eventTime().graceMs();
        KStream<String, EntityWrite> writes = inputs.rekeyed(NAME + "-writes-by-entity", EntityWrite.SERDE,
                EntityWrite::isTick, () -> inputs.requestsWithTicks()
                        .filter((k, a) -> a.isTick() || relevant(a.event()), Named.as(NAME + "-entity-writes"))
                        .map((k, a) -> a.isTick() ? KeyValue.pair("", EntityWrite.tick(a.source(), a.clock()))
                                : KeyValue.pair(a.event().entity(), EntityWrite.of(a.event())),
                                Named.as(NAME + "-project")));
        KStream<String, ConflictWindowsProcessor.Closed> windows = writes
                .process(new EntityWritesProcessor.Supplier(s, grace, inputs.stores()), Named.as(NAME + "-entities"))
                // One key: one partition (the other partitions' tasks would only commit and pass ticks on).
                .repartition(Repartitioned.with(Serdes.String(), WriteConflict.SERDE).withName(NAME + "-conflicts")
                        .withNumberOfPartitions(1).withStreamPartitioner(new Broadcast<>(WriteConflict::isTick)))
                .process(new ConflictWindowsProcessor.Supplier(s, grace, inputs.stores()), Named.as(NAME + "-windows"));
        KStream<String, Metric> metrics = windows
                .filter((k, c) -> !c.isTick(), Named.as(NAME + "-closed"))
                .map((k, c) -> {
                    Metric m = metric(c.window(), c.windowMs(), s.resolution());
                    return KeyValue.pair(m.seriesKey(), m);
                }, Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = windows
                .flatMap((k, c) -> {
                    List<Finding> out = c.isTick()
                            ? List.of(Finding.tick(AlertType.CONCURRENT_WRITE, c.source(), c.tick()))
                            : findings(c.window(), c.windowMs(), s, c.source());
                    return out.stream().map(f -> KeyValue.pair(f.fingerprint(), f)).toList();
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    static Metric metric(ConflictWindow w, long windowMs, Resolutions resolutions) {
        List<ConflictWindow.EntityConflicts> ranked = w.ranked();
        Map<String, Double> values = new TreeMap<>();
        values.put("conflicts", (double) (w.vectorPairs + w.sameSecondPairs));
        values.put("vectorConflicts", (double) w.vectorPairs);
        values.put("possibleConflicts", (double) w.sameSecondPairs);
        values.put("entities", (double) w.entities.size());
        values.put("lateArrivals", (double) w.late);
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("topEntities", ranked.stream().limit(TOP_ENTITIES)
                .map(e -> e.entity + " (" + e.pairsTotal() + ")").collect(Collectors.joining(", ")));
        resolutionNeeded(ranked, resolutions).ifPresent(h -> attributes.put("resolution", h.label()));
        if (w.uncounted > 0) {
            attributes.put("entitiesCapped", w.uncounted + " conflicts of entities beyond the first "
                    + ConflictWindow.MAX_ENTITIES + " of the window are counted but not named");
        }
        return new Metric(METRIC, Map.of(), w.start, w.start + windowMs, values, attributes);
    }

    /** The most work any conflicted entity needs (manual over last-writer-wins over a CRDT merge). */
    static java.util.Optional<Resolutions.Hint> resolutionNeeded(List<ConflictWindow.EntityConflicts> entities,
                                                                Resolutions resolutions) {
        return entities.stream().map(e -> resolutions.of(e.entity)).max(Enum::compareTo);
    }

    /**
     * Conflicts by vector clocks: a finding per entity (the most conflicted {@code max-alerted-entities}). Possible
     * conflicts only (same second, no vector clocks): one finding per entity type, listing its entities, so that a
     * busy workflow writing one entity from several services does not raise an alert per entity on weak evidence.
     */
    static List<Finding> findings(ConflictWindow w, long windowMs, ConcurrentWriteSettings s, String source) {
        List<Finding> out = new ArrayList<>();
        List<ConflictWindow.EntityConflicts> ranked = w.ranked();
        ranked.stream().filter(e -> e.vectorPairs > 0).limit(s.maxAlertedEntities())
                .forEach(e -> out.add(finding(e, w, windowMs, s, source)));
        Map<String, List<ConflictWindow.EntityConflicts>> possible = new TreeMap<>();
        ranked.stream().filter(e -> e.vectorPairs == 0)
                .forEach(e -> possible.computeIfAbsent(group(e.entity), t -> new ArrayList<>()).add(e));
        // The groups with the most possible conflicts first, as many as entities may have findings.
        possible.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, List<ConflictWindow.EntityConflicts>> g) ->
                        g.getValue().stream().mapToLong(e -> e.sameSecondPairs).sum()).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(s.maxAlertedEntities())
                .forEach(g -> out.add(possibleFinding(g.getKey(), g.getValue(), w, windowMs, s, source)));
        return out;
    }

    /** The entity type ({@code Order} of {@code Order[1337]}); entities without a type share one group. */
    static String group(String entity) {
        return entity.indexOf('[') > 0 ? Resolutions.type(entity) : UNTYPED;
    }

    private static String span(ConflictWindow w, long windowMs) {
        return MINUTE.format(Instant.ofEpochMilli(w.start)) + "-"
                + MINUTE.format(Instant.ofEpochMilli(w.start + windowMs)) + " UTC";
    }

    static Finding finding(ConflictWindow.EntityConflicts e, ConflictWindow w, long windowMs,
                           ConcurrentWriteSettings s, String source) {
        Resolutions.Hint hint = s.resolution().of(e.entity);
        String nodes = String.join(", ", e.vectorNodes);
        String summary = String.format(Locale.ROOT, "Concurrent writes to %s: %d nodes (%s) wrote it without seeing"
                        + " each other's writes (vector clocks concurrent), %d conflicting pair%s in %s%s."
                        + " Resolution: %s", e.entity, e.vectorNodes.size(), nodes, e.vectorPairs,
                e.vectorPairs == 1 ? "" : "s", span(w, windowMs), e.sameSecondPairs > 0 ? String.format(Locale.ROOT,
                        ", and %d more within the same second without vector clocks", e.sameSecondPairs) : "",
                hint.label().toLowerCase(Locale.ROOT));
        List<String> evidence = new ArrayList<>();
        for (WriteFrontier.Write x : e.writes.values()) {
            evidence.add(String.format(Locale.ROOT, "%s wrote %s at %s UTC, %s (event %s%s)", x.node(), e.entity,
                    INSTANT.format(Instant.ofEpochMilli(x.timestamp())),
                    x.hasVector() ? "vector clock " + clock(x.vectorClock()) : "no vector clock", x.eventId(),
                    x.requestId() == null ? "" : ", request " + x.requestId()));
        }
        if (e.writes.size() == ConflictWindow.MAX_WRITES) {
            // Whether more were cut is not kept: the note says what the list is either way.
            evidence.add("(at most " + ConflictWindow.MAX_WRITES + " writes are listed: those with the smallest event"
                    + " ids)");
        }
        evidence.add("conflicting pairs (event ids): " + e.pairs.stream().limit(10)
                .map(p -> p.replace("|", " ‖ ")).collect(Collectors.joining(", "))
                + (e.pairs.size() > 10 ? ", …" : ""));
        evidence.add("resolution for " + Resolutions.type(e.entity) + " (asyncwatch.concurrent-write.resolution): "
                + hint.advice());
        if (w.late > 0) {
            evidence.add(w.late + " conflicts of this window (all entities) arrived after their own window had closed"
                    + " and are counted here");
        }
        String fingerprint = Finding.fingerprint(AlertType.CONCURRENT_WRITE, Map.of("entity", e.entity));
        return new Finding(fingerprint, AlertType.CONCURRENT_WRITE, Severity.ALERT, Map.of("entity", e.entity),
                summary, e.pairsTotal(), 1, w.start, w.start + windowMs, List.copyOf(evidence), source);
    }

    /** Entities of one type with possible conflicts only: one WARN, its entities listed. */
    static Finding possibleFinding(String type, List<ConflictWindow.EntityConflicts> entities, ConflictWindow w,
                                   long windowMs, ConcurrentWriteSettings s, String source) {
        long pairs = entities.stream().mapToLong(e -> e.sameSecondPairs).sum();
        Resolutions.Hint hint = s.resolution().of(entities.get(0).entity);
        String listed = entities.stream().limit(TOP_ENTITIES).map(e -> e.entity).collect(Collectors.joining(", "))
                + (entities.size() > TOP_ENTITIES ? ", …" : "");
        String summary = String.format(Locale.ROOT, "Possible concurrent writes to %d %s entit%s (%s): different"
                        + " nodes wrote each within the same second, %d pair%s in %s; without vector clocks on these"
                        + " writes whether one saw the other is unknown (lower severity). Resolution: %s",
                entities.size(), type, entities.size() == 1 ? "y" : "ies", listed, pairs, pairs == 1 ? "" : "s",
                span(w, windowMs), hint.label().toLowerCase(Locale.ROOT));
        List<String> evidence = new ArrayList<>();
        for (ConflictWindow.EntityConflicts e : entities.stream().limit(10).toList()) {
            evidence.add(e.entity + ": " + e.writes.values().stream().map(x -> String.format(Locale.ROOT,
                    "%s at %s (event %s)", x.node(), INSTANT.format(Instant.ofEpochMilli(x.timestamp())),
                    x.eventId())).collect(Collectors.joining(", ")));
        }
        if (entities.size() > 10) {
            evidence.add((entities.size() - 10) + " more " + type + " entities not listed");
        }
        evidence.add("vector clocks on these writes would tell a conflict from a sequence (the event contract's"
                + " vectorClock)");
        evidence.add("resolution for " + type + " (asyncwatch.concurrent-write.resolution): " + hint.advice());
        Map<String, String> subject = new TreeMap<>();
        subject.put("entityType", type);
        subject.put("basis", "same-second");
        return new Finding(Finding.fingerprint(AlertType.CONCURRENT_WRITE, subject), AlertType.CONCURRENT_WRITE,
                Severity.WARN, subject, summary, pairs, 1, w.start, w.start + windowMs, List.copyOf(evidence), source);
    }

    /** {@code {a=2, b=1}}, components sorted. */
    static String clock(Map<String, Long> vc) {
        return new TreeMap<>(vc).toString();
    }
}
