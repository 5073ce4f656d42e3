package io.asyncwatch.detect.duplicates;

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
import io.asyncwatch.model.Status;
import io.asyncwatch.time.Broadcast;
import io.asyncwatch.time.Watermarks;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * Duplicate operations (the seeds' phantom write and zombie transaction): a client times out, retries, and both
 * writes were applied. More than one SUCCESS WRITE for one requestId by the same service within the horizon is a
 * duplicated intent; one intent writing once at each of several layers is not.
 *
 * <p>Shape: only WRITE attempts with a requestId that succeeded or timed out are projected and re-keyed by
 * requestId ({@link DuplicateIntentsProcessor}); the duplicated intents (few) are re-keyed by service and counted
 * per window ({@link DuplicateWindowsProcessor}), one episode per service, resolved after a quiet period.
 */
public final class DuplicateOperations implements Detector {

    public static final String NAME = "duplicate-operation";
    public static final String METRIC = "duplicate_operations";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SettingsSpec<?> settings() {
        return DuplicateSettings.SPEC;
    }

    @Override
    public Map<AlertType, AlertPolicy> policies(AsyncwatchConfig config) {
        return Map.of(AlertType.DUPLICATE_OPERATION, AlertPolicy.eventDriven(AlertPolicy.Direction.HIGHER_IS_WORSE));
    }

    @Override
    public long settleMs(AsyncwatchConfig config) {
        DuplicateSettings s = config.settings(DuplicateSettings.SPEC);
        return Math.max(s.horizonMs(), s.windowMs() + config.eventTime().graceMs());
    }

    static boolean relevant(RequestEvent e) {
        return e.kind() == Kind.WRITE && e.requestId() != null && !e.requestId().isBlank()
                && (e.status() == Status.SUCCESS || e.status() == Status.TIMEOUT);
    }

    @Override
    public Outputs wire(SharedInputs inputs, AsyncwatchConfig config) {
        DuplicateSettings s = config.settings(DuplicateSettings.SPEC);
        KStream<String, WriteAttempt> writes = inputs.rekeyed("writes-by-request", WriteAttempt.SERDE,
                WriteAttempt::isTick, () -> inputs.requestsWithTicks()
                        .filter((k, a) -> a.isTick() || relevant(a.event()), Named.as("writes-with-request-id"))
                        .map((k, a) -> a.isTick() ? KeyValue.pair("", WriteAttempt.tick(a.source(), a.clock()))
                                : KeyValue.pair(a.event().requestId(), WriteAttempt.of(a.event())),
                                Named.as("writes-project")));
        KStream<String, DuplicateIntent> intents = writes
                .process(new DuplicateIntentsProcessor.Supplier(s, inputs.stores()),
                        Named.as(NAME + "-intents"))
                .repartition(Repartitioned.with(Serdes.String(), DuplicateIntent.SERDE)
                        .withName(NAME + "-intents-by-service")
                        .withNumberOfPartitions(Watermarks.LIGHT_STAGE_PARTITIONS)
                        .withStreamPartitioner(new Broadcast<>(DuplicateIntent::isTick)));
        KStream<String, DuplicateWindowsProcessor.Closed> windows = intents.process(
                new DuplicateWindowsProcessor.Supplier(s, config.eventTime().graceMs(),
                        s.maxServices(),
                        inputs.stores()), Named.as(NAME + "-windows"));
        KStream<String, Metric> metrics = windows
                .filter((k, c) -> !c.isTick(), Named.as(NAME + "-closed"))
                .map((k, c) -> {
                    Metric m = metric(c);
                    return KeyValue.pair(m.seriesKey(), m);
                }, Named.as(NAME + "-metrics"));
        KStream<String, Finding> findings = windows
                .filter((k, c) -> c.isTick() || c.window().count > 0, Named.as(NAME + "-with-duplicates"))
                .map((k, c) -> {
                    Finding f = c.isTick() ? Finding.tick(AlertType.DUPLICATE_OPERATION, c.source(), c.tick())
                            : finding(c, s);
                    return KeyValue.pair(f.fingerprint(), f);
                }, Named.as(NAME + "-findings"));
        return new Outputs(findings, metrics, null);
    }

    static Metric metric(DuplicateWindowsProcessor.Closed c) {
        DuplicateWindow w = c.window();
        Map<String, String> labels = new TreeMap<>();
        labels.put("service", c.service());
        if (c.layer() != null) {
            labels.put("layer", c.layer());
        }
        Map<String, String> attributes = new TreeMap<>();
        if (!w.requestIds.isEmpty()) {
            attributes.put("sampleRequestIds", String.join(",", w.requestIds));
        }
        if (!w.entities.isEmpty()) {
            attributes.put("sampleEntities", String.join(",", w.entities));
        }
        return new Metric(METRIC, labels, w.start, w.start + c.windowMs(),
                Map.of("duplicates", (double) w.count, "zombies", (double) w.zombies, "lateArrivals", (double) w.late),
                attributes);
    }

    static Finding finding(DuplicateWindowsProcessor.Closed c, DuplicateSettings s) {
        DuplicateWindow w = c.window();
        Severity severity = w.count >= s.pageCount() ? Severity.PAGE : Severity.ALERT;
        Map<String, String> subject = new TreeMap<>();
        subject.put("service", c.service());
        if (c.layer() != null) {
            subject.put("layer", c.layer());
        }
        String span = TIME.format(Instant.ofEpochMilli(w.start)) + "-"
                + TIME.format(Instant.ofEpochMilli(w.start + c.windowMs())) + " UTC";
        String summary = String.format(Locale.ROOT,
                "Duplicate operations at %s: %d user intent%s written more than once in %s%s; entities %s",
                c.service(), w.count, w.count == 1 ? " was" : "s were", span,
                w.zombies > 0 ? " (" + w.zombies + " zombie: a timed-out attempt's write landed too)" : "",
                w.entities.isEmpty() ? "unknown" : String.join(", ", w.entities));
        List<String> evidence = new ArrayList<>();
        evidence.add("request ids: " + String.join(", ", w.requestIds));
        evidence.addAll(w.writeIds);
        w.zombieNotes.forEach(z -> evidence.add("zombie transaction: " + z));
        if (w.late > 0) {
            evidence.add(w.late + " duplicates arrived after their window had closed and are counted here");
        }
        String fingerprint = Finding.fingerprint(AlertType.DUPLICATE_OPERATION, Map.of("service", c.service()));
        return new Finding(fingerprint, AlertType.DUPLICATE_OPERATION, severity, subject, summary, w.count,
                severity == Severity.PAGE ? s.pageCount() : 1, w.start, w.start + c.windowMs(), List.copyOf(evidence),
                c.source());
    }
}
