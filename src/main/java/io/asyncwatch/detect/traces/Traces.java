package io.asyncwatch.detect.traces;

import io.asyncwatch.detect.SharedInputs;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Traced request attempts re-keyed by trace, once, for every detector that looks at a trace as a whole (cascade
 * timeouts, causality between parent and child spans): only traced requests cross the broker, projected to a
 * {@link Span}, with every input partition's clock ticks.
 */
public final class Traces {

    private Traces() {
    }

    public static KStream<String, Span> spansByTrace(SharedInputs inputs) {
        return inputs.rekeyed("spans-by-trace", Span.SERDE, Span::isTick,
                () -> inputs.requestsWithTicks()
                        .filter((k, a) -> a.isTick() || Span.traced(a.event()), Named.as("traced-requests"))
                        .map((k, a) -> a.isTick() ? KeyValue.pair("", Span.tick(a.source(), a.clock()))
                                : KeyValue.pair(a.event().traceId(), Span.of(a.event())), Named.as("spans-project")));
    }
}
