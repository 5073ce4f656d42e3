package io.asyncwatch.detect.causality;

import io.asyncwatch.time.UpstreamClock;
import io.asyncwatch.time.Watermarks;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Lookups broadcast by every input task, answered from this task's {@link CauseIndex} (the stores of
 * {@link CauseIndexProcessor}, which it shares): judged when the cause is here, else kept until it arrives or this
 * task passes the horizon. Its clock is the slowest input task's, relayed behind their lookups: when it passes a
 * window, every lookup of that window has been answered here, so the window's counts are sent on, then the tick
 * that lets the window stage close it.
 */
final class LookupProcessor implements Processor<String, CausalFact, String, CausalOutcome> {

    private static final Duration TICK = Duration.ofSeconds(1);

    record Supplier(CausalitySettings settings, long graceMs, io.asyncwatch.state.StoreMode storeMode) implements ProcessorSupplier<String, CausalFact, String,
            CausalOutcome> {
        @Override
        public Processor<String, CausalFact, String, CausalOutcome> get() {
            return new LookupProcessor(this);
        }
    }

    private final Supplier conf;
    private ProcessorContext<String, CausalOutcome> context;
    private CauseIndex index;
    private UpstreamClock clock;
    private String source;

    private LookupProcessor(Supplier conf) {
        this.conf = conf;
    }

    @Override
    public void init(ProcessorContext<String, CausalOutcome> context) {
        this.context = context;
        this.index = new CauseIndex(context, conf.settings(), conf.graceMs(), conf.storeMode());
        this.clock = UpstreamClock.restore(index.store(), context.appConfigs());
        this.source = Causality.NAME + "-lookup:" + context.taskId().partition();
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<String, CausalFact> record) {
        CausalFact f = record.value();
        if (f.isTick()) {
            if (clock.observe(f.source(), f.tick(), context.currentSystemTimeMs())) {
                // Every task is past it, this one too (and an idle one, whose own clock never moves, learns it here).
                index.expire(clock.now());
                index.expireCauses(clock.now());
                index.flushCounts(clock.now(), this::outcome);
            }
            return;
        }
        index.lookup(f.at(record.key(), record.timestamp()), this::outcome);
    }

    private void outcome(CausalOutcome o) {
        context.forward(new Record<>(Causality.ALL, o, o.time()));
    }

    private void tick(long wall) {
        // Announced before the clock starts, so the window stage knows this task exists and waits for it.
        clock.nextTick(true).ifPresent(t -> context.forward(new Record<>("", CausalOutcome.tick(source, t),
                Watermarks.stamp(t, wall))));
    }

    @Override
    public void close() {
        if (index != null) {
            index.close();
        }
    }
}
