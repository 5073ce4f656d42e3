package io.asyncwatch.standup;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.Detector;
import io.asyncwatch.detect.causality.Causality;
import io.asyncwatch.detect.clockskew.ClockSkew;
import io.asyncwatch.detect.clockskew.ClockSkewSettings;
import io.asyncwatch.detect.concurrentwrites.ConcurrentWrites;
import io.asyncwatch.detect.retrystorm.RetryStorm;
import io.asyncwatch.alert.AlertStage;
import io.asyncwatch.model.AlertStatus;
import io.asyncwatch.model.StandupSummary;
import io.asyncwatch.state.StoreMode;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The streaming standup: the seeds' morning async health check kept current. It reads what the detectors already
 * publish (the metric points of retry storms, clock skew, concurrent writes and causality, with their clock ticks)
 * and the alerts, each over an internal topic of one partition, and publishes a summary per period on
 * {@code asyncwatch.standup}: daily at the configured UTC hour, and a rolling one every hour of event time.
 */
public final class Standup {

    /** The detectors whose points answer a standup question, and the metrics of theirs that do. */
    static final Map<String, Set<String>> SOURCES = Map.of(
            RetryStorm.NAME, Set.of(Bucket.RETRY_METRIC),
            ClockSkew.NAME, Set.of(Bucket.SKEW_METRIC),
            ConcurrentWrites.NAME, Set.of(Bucket.CONFLICT_METRIC),
            Causality.NAME, Set.of(Bucket.CAUSAL_LINKS_METRIC));

    private Standup() {
    }

    /**
     * @param outputs the enabled detectors' outputs by name, in topology order
     * @param alerts  what the alert stage emits: alerts and its clock
     */
    public static KStream<String, StandupSummary> wire(Map<String, Detector.Outputs> outputs,
                                                       KStream<String, AlertStage.Out> alerts, AsyncwatchConfig config,
                                                       StoreMode stores) {
        StandupSettings s = config.settings(StandupSettings.SPEC);
        // An alert counts in the period its evidence starts in, as a metric point does; the stage's ticks say when
        // every alert of a period has been sent (settle-ms covers a detector's window and the time it takes to judge
        // it), as the detectors' ticks do for their points.
        KStream<String, StandupFact> merged = alerts
                .filter((k, o) -> o.isTick() || o.alert().status() == AlertStatus.FIRING,
                        Named.as("standup-firing-alerts"))
                .mapValues(o -> o.isTick() ? StandupFact.tick(o.source(), o.at())
                        : StandupFact.alert(new StandupFact.AlertFact(o.alert().fingerprint(), o.alert().type(),
                        o.alert().severity(), o.alert().status()), o.alert().windowStart()),
                        Named.as("standup-alert-facts"))
                .repartition(facts("standup-alerts"));
        for (Map.Entry<String, Detector.Outputs> e : outputs.entrySet()) {
            Set<String> metrics = SOURCES.get(e.getKey());
            if (metrics == null) {
                continue;
            }
            String name = e.getKey();
            // Points and the ticks of the task that published them, in the order it did: a tick says every point of
            // the windows it has closed has been sent.
            KStream<String, StandupFact> points = e.getValue().metrics()
                    .filter((k, m) -> metrics.contains(m.metric()), Named.as("standup-" + name + "-points"))
                    .mapValues(StandupFact::metric, Named.as("standup-" + name + "-point-facts"));
            KStream<String, StandupFact> ticks = e.getValue().findings()
                    .filter((k, f) -> f.isTick(), Named.as("standup-" + name + "-ticks"))
                    .mapValues(f -> StandupFact.tick(f.source(), f.windowEnd()),
                            Named.as("standup-" + name + "-tick-facts"));
            KStream<String, StandupFact> own = points.merge(ticks, Named.as("standup-" + name + "-facts"))
                    .repartition(facts("standup-" + name));
            merged = merged.merge(own, Named.as("standup-merge-" + name));
        }
        ClockSkewSettings skew = config.settings(ClockSkewSettings.SPEC);
        Summaries.Sources sources = new Summaries.Sources(outputs.containsKey(RetryStorm.NAME),
                outputs.containsKey(ConcurrentWrites.NAME), outputs.containsKey(Causality.NAME));
        return merged.process(new StandupProcessor.Supplier(s, new Summaries.Thresholds(skew.warnMs(),
                skew.alertMs()), sources, stores), Named.as("standup"));
    }

    /** One partition: every fact meets every other in one task. */
    private static Repartitioned<String, StandupFact> facts(String name) {
        return Repartitioned.with(Serdes.String(), StandupFact.SERDE).withName(name).withNumberOfPartitions(1);
    }

    /** Wall-clock time the standup, and the alert stage's ticks that feed it, wait for upstream tasks to start. */
    public static long warmupMs(AsyncwatchConfig config) {
        StandupSettings s = config.settings(StandupSettings.SPEC);
        return s.enabled() ? s.warmupMs() : 0;
    }

    /** Event time after the last input by which the standup has published the summaries it can. */
    public static long settleMs(AsyncwatchConfig config) {
        StandupSettings s = config.settings(StandupSettings.SPEC);
        return s.enabled() ? s.settleMs() : 0;
    }
}
