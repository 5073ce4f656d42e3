package io.asyncwatch.detect.traces;

import io.asyncwatch.ingest.Accepted;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.state.StateStores;
import io.asyncwatch.state.TaskStore;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * On the input task: projects traced requests to {@link Span}s and gathers them per trace until the next commit or
 * clock tick, then sends one {@link SpanBatch} per trace. Nothing is held across a commit, so nothing can be lost:
 * the batches are sent inside the transaction that commits their input. A tick sends everything gathered before
 * itself, so the trace stages still see every span of a partition before that partition's tick.
 *
 * <p>Kafka Streams has no commit callback for processors; the one it calls on every commit is a store's flush. This
 * processor therefore owns an empty, unlogged store ({@link #STORE}) whose write-back hook sends what is gathered,
 * the way Kafka's own record caches forward at flush.
 */
final class SpanBatcher implements Processor<String, Accepted<RequestEvent>, String, SpanBatch> {

    static final String STORE = "spans-by-trace-batches";
    /** Spans gathered at most before they are sent anyway (ticks send them every second, commits more often). */
    static final int MAX_PENDING = 10_000;

    record Supplier() implements ProcessorSupplier<String, Accepted<RequestEvent>, String, SpanBatch> {
        @Override
        public Processor<String, Accepted<RequestEvent>, String, SpanBatch> get() {
            return new SpanBatcher();
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return Set.of(StateStores.commitHookStore(STORE));
        }
    }

    private final SpanGatherer pending = new SpanGatherer(MAX_PENDING);
    private ProcessorContext<String, SpanBatch> context;
    /** Kafka's context, through which a flush outside of process() forwards as this node; null: none (not batched). */
    private InternalProcessorContext<?, ?> internal;
    private ProcessorNode<?, ?, ?, ?> self;
    private ProcessorRecordContext lastInput;
    private TaskStore hookStore;

    @Override
    public void init(ProcessorContext<String, SpanBatch> context) {
        this.context = context;
        this.internal = context instanceof InternalProcessorContext<?, ?> c ? c : null;
        this.self = null;
        this.lastInput = null;
        pending.clear();
        this.hookStore = new TaskStore(context.getStateStore(STORE));
        hookStore.beforeCommit(this::sendAtCommit);
    }

    @Override
    public void process(Record<String, Accepted<RequestEvent>> record) {
        Accepted<RequestEvent> a = record.value();
        if (a.isTick()) {
            send();
            context.forward(new Record<>("", SpanBatch.tick(a.source(), a.clock()), record.timestamp()));
            return;
        }
        RequestEvent e = a.event();
        if (!Span.traced(e)) {
            return;
        }
        if (pending.add(Span.of(e, record.timestamp())) || internal == null) {
            send();
            return;
        }
        self = internal.currentNode();
        lastInput = internal.recordContext();
    }

    /** Sends every trace's gathered spans, a record each, stamped with its last span's event time. */
    private void send() {
        if (pending.isEmpty()) {
            return;
        }
        for (SpanBatch b : pending.drain()) {
            context.forward(new Record<>(b.traceId(), b, b.spans().get(b.spans().size() - 1).timestamp()));
        }
    }

    /** Called by Kafka Streams' flush before the commit: forwards as this node, as if from its last input record. */
    private void sendAtCommit() {
        if (pending.isEmpty()) {
            return;
        }
        ProcessorNode<?, ?, ?, ?> node = internal.currentNode();
        ProcessorRecordContext recordContext = internal.recordContext();
        internal.setCurrentNode(self);
        internal.setRecordContext(lastInput);
        try {
            send();
        } finally {
            internal.setCurrentNode(node);
            internal.setRecordContext(recordContext);
        }
    }

    @Override
    public void close() {
        // A clean close commits first, which sends everything; a dirty one drops what was gathered, whose input was
        // not committed and is read again. The store may outlive this processor (a task recycled to a standby).
        pending.clear();
        if (hookStore != null) {
            hookStore.beforeCommit(null);
        }
    }
}
