package io.asyncwatch.detect.calls;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.detect.SharedInputs;
import io.asyncwatch.time.Watermarks;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * The per-service call windows shared by the request-health detectors: requests are pre-aggregated per (service,
 * destination, window) in the input partitions' tasks ({@link CallPartialsProcessor}), only those partial counts
 * and the partitions' clock ticks are re-keyed by service, and {@link CallWindowsProcessor} merges them and closes
 * each window once every input partition has passed it. Not a detector: it raises nothing itself.
 *
 * <p>State: per input partition, one second of partial counts; per service task, the windows still open (at most
 * grace + one window of event time) for at most {@code max-services} services.
 */
public final class CallWindows {

    public static final String NAME = "call-windows";
    /** The one key of {@link #allServices}: judgments across services (layers, timeout ladders) need them all. */
    public static final String ALL = "all";
    /** Partitions of the by-service stage: it receives partial counts, not events. */
    public static final int BY_SERVICE_PARTITIONS = Watermarks.LIGHT_STAGE_PARTITIONS;

    private CallWindows() {
    }

    /** Closed windows keyed by service, interleaved with the closing tasks' clock ticks. */
    public static KStream<String, ServiceWindow> byService(SharedInputs inputs, AsyncwatchConfig config) {
        return inputs.shared(NAME, () -> {
            CallWindowSettings s = config.settings(CallWindowSettings.SPEC);
            long grace = config.eventTime().graceMs();
            KStream<String, CallPartial> partials = inputs.rekeyed(NAME + "-by-service", CallPartial.SERDE,
                    CallPartial::isTick, BY_SERVICE_PARTITIONS, () -> inputs.requestsWithTicks().process(
                            new CallPartialsProcessor.Supplier(s, grace, inputs.stores()),
                            Named.as(NAME + "-partials")));
            return partials.process(new CallWindowsProcessor.Supplier(s, grace, inputs.stores()),
                    Named.as(NAME));
        });
    }

    /**
     * The same windows under the one key {@link #ALL}, the ticks sent to every partition: a few records per
     * service and minute, never the raw stream. Its readers take the slowest service task's tick as their clock.
     */
    public static KStream<String, ServiceWindow> allServices(SharedInputs inputs, AsyncwatchConfig config) {
        return inputs.rekeyed(NAME + "-all", ServiceWindow.SERDE, ServiceWindow::isTick, 1,
                () -> byService(inputs, config).map((k, w) -> KeyValue.pair(w.isTick() ? "" : ALL, w),
                        Named.as(NAME + "-to-all")));
    }

    /** Event time after a window's end by which it has been closed. */
    public static long closeAfterMs(AsyncwatchConfig config) {
        return config.eventTime().graceMs();
    }
}
