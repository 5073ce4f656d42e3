package io.asyncwatch.detect.traces;

import io.asyncwatch.detect.SharedInputs;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * Traced request attempts re-keyed by trace, once, for every detector that looks at a trace as a whole (cascade
 * timeouts, causality between parent and child spans): only traced requests cross the broker, projected to a
 * {@link Span} and sent a trace's batch per commit ({@link SpanBatcher}), with every input partition's clock ticks;
 * on the trace's task each span is a record again, at its own event time.
 */
public final class Traces {

    private Traces() {
    }

    public static KStream<String, Span> spansByTrace(SharedInputs inputs) {
        return inputs.shared("spans-by-trace", () -> inputs.rekeyed("spans-by-trace", SpanBatch.SERDE,
                        SpanBatch::isTick, () -> inputs.requestsWithTicks()
                                .process(new SpanBatcher.Supplier(), Named.as("spans-batch")))
                .process(SpanUnbatcher::new, Named.as("spans-by-trace-unbatch")));
    }
}
