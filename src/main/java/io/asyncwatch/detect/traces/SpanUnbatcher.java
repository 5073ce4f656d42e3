package io.asyncwatch.detect.traces;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** On the trace's task: a {@link SpanBatch} back into its spans, each a record at its own event time, in order. */
final class SpanUnbatcher implements Processor<String, SpanBatch, String, Span> {

    private ProcessorContext<String, Span> context;

    @Override
    public void init(ProcessorContext<String, Span> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, SpanBatch> record) {
        SpanBatch b = record.value();
        if (b.isTick()) {
            context.forward(record.withValue(Span.tick(b.source(), b.tick())));
            return;
        }
        for (Span s : b.spans()) {
            long time = b.atRecordTime() ? record.timestamp() : s.timestamp();
            context.forward(new Record<>(record.key(), s.at(time), time, record.headers()));
        }
    }
}
