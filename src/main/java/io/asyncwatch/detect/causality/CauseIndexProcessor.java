package io.asyncwatch.detect.causality;

import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The input task's own events: causes into the {@link CauseIndex}, effects counted and sent on as lookups to every
 * input task; the requests partition's clock ticks expire the lookups waiting here and are relayed, behind the
 * lookups, to every task's {@link LookupProcessor}.
 */
final class CauseIndexProcessor implements Processor<String, CausalFact, String, CauseIndexProcessor.Out> {

    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(CauseIndexProcessor.class);

    /** A lookup to broadcast, or an outcome for the window stage. */
    record Out(CausalFact lookup, CausalOutcome outcome) {
        boolean isLookup() {
            return lookup != null;
        }
    }

    record Supplier(CausalitySettings settings, long graceMs, io.asyncwatch.state.StoreMode storeMode)
            implements ProcessorSupplier<String, CausalFact, String, Out> {
        @Override
        public Processor<String, CausalFact, String, Out> get() {
            return new CauseIndexProcessor(this);
        }

        @Override
        public Set<StoreBuilder<?>> stores() {
            return CauseIndex.stores(storeMode);
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, Out> context;
    private CauseIndex index;
    private String source;
    private boolean idle;
    /** The event id of the last cause fact that was already booked, while its effects follow. */
    private String redelivered;

    private CauseIndexProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.index = new CauseIndex(context, conf.settings(), conf.graceMs(), conf.storeMode());
        this.source = Causality.NAME + "-index:" + context.taskId().partition();
        // A task revived after an aborted transaction reuses this instance: the IDLE it sent may be gone.
        this.idle = false;
        this.redelivered = null;
        index.causesStore().beforeCommit(index::flushCauses);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, CausalFact> record) {
        CausalFact f = record.value();
        if (f.isTick()) {
            // The requests partition's clock: every input task has one (heartbeats and clocks may have fewer).
            if (f.source() == null || !f.source().startsWith("requests:") || f.tick() == Watermarks.NONE) {
                return;
            }
            if (f.tick() == Watermarks.IDLE) {
                // An empty requests partition: relayed as idle so that it holds nobody back.
                if (!idle) {
                    idle = true;
                    context.forward(new Record<>("", new Out(CausalFact.tick(source, Watermarks.IDLE), null),
                            record.timestamp()));
                }
                return;
            }
            if (f.tick() > index.now()) {
                idle = false;
                index.advance(f.tick());
                index.expire(index.now());
                // Relayed to every task behind the lookups sent before it: their counts and answers are complete
                // up to here once it arrives.
                context.forward(new Record<>("", new Out(CausalFact.tick(source, f.tick()), null), f.tick()));
            }
            return;
        }
        CausalFact fact = f.at(record.key(), record.timestamp());
        if (fact.role() == CausalFact.CAUSE) {
            // An event's effects follow its own cause fact: a known id means this event came before.
            redelivered = index.cause(fact, this::outcome) ? fact.eventId() : null;
        } else {
            if (fact.eventId() != null && fact.eventId().equals(redelivered)) {
                return; // the same event delivered again: its effects were counted and looked up the first time
            }
            index.sent(fact);
            context.forward(new Record<>(fact.link(), new Out(fact, null), fact.time()));
        }
    }

    private void outcome(CausalOutcome o) {
        context.forward(new Record<>(Causality.ALL, new Out(null, o), o.time()));
    }

    private void tick(long wall) {
        if (index.now() == Watermarks.NONE && !idle) {
            // Announced before the clock starts, so the lookup stages know this task exists and wait for it (an
            // empty partition says idle instead, once: announcing it again would hold everybody back).
            context.forward(new Record<>("", new Out(CausalFact.tick(source, Watermarks.NONE), null), wall));
        }
        long[] overflow = index.drainOverflow();
        if (overflow[0] > 0 || overflow[1] > 0) {
            LOG.warn("causality: task {} keeps lookups waiting for at most {} links (asyncwatch.causality.max-links):"
                    + " {} further lookups not kept; {} over asyncwatch.causality.max-pending-effects not kept",
                    context.taskId(), conf.settings().maxLinks(), overflow[0], overflow[1]);
        }
        if (overflow[2] > 0) {
            LOG.warn("causality: task {} keeps at most {} causes (asyncwatch.causality.max-causes): {} causes not"
                    + " kept; effects naming them count as missing their cause", context.taskId(),
                    conf.settings().maxCauses(), overflow[2]);
        }
    }

    @Override
    public void close() {
        if (index != null) {
            index.close();
        }
    }
}
