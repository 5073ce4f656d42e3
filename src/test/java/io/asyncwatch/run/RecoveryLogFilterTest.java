package io.asyncwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What an operator sees when a restart after a crash wipes and restores task state: one WARN line, no ERROR. */
class RecoveryLogFilterTest {

    private static final String TASK_MANAGER = "org.apache.kafka.streams.processor.internals.TaskManager";
    private static final String STREAM_THREAD = "org.apache.kafka.streams.processor.internals.StreamThread";
    private static final String STATE_MANAGER = "org.apache.kafka.streams.processor.internals.ProcessorStateManager";
    private static final String STATE_DIRECTORY = "org.apache.kafka.streams.processor.internals.StateDirectory";

    private LoggerContext context;
    private ListAppender<ILoggingEvent> seen;

    @BeforeEach
    void logging() {
        context = new LoggerContext();
        RecoveryLogFilter filter = new RecoveryLogFilter();
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        seen = new ListAppender<>();
        seen.setContext(context);
        seen.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(seen);
    }

    @Test
    void theWipeAndRestoreAfterACrashIsOneWarnLineWithoutStackTraces() {
        TaskId a = new TaskId(0, 1);
        TaskId b = new TaskId(4, 5);
        // The sequence Kafka Streams 4.3 logs on a restart over a killed instance's state directory.
        context.getLogger(STATE_MANAGER).warn("stream-client [app-1] State store requests-clock did not find"
                + " checkpoint offsets while stores are not empty, since under EOS it has the risk of getting"
                + " uncommitted data in stores we have to treat it as a task corruption error and wipe out the"
                + " local state of task {} before re-bootstrapping", a);
        context.getLogger(STATE_DIRECTORY).warn("Failed to register startup state stores for task {}: {}", a,
                "Tasks [0_1] are corrupted and hence need to be re-initialized");
        context.getLogger(TASK_MANAGER).error("stream-thread [app-1-StreamThread-1] Get exceptions for the"
                + " following tasks: {}", Map.of(a, new TaskCorruptedException(Set.of(a)),
                b, new TaskCorruptedException(Set.of(b))));
        context.getLogger(TASK_MANAGER).warn("stream-thread [app-1-StreamThread-1] Encounter corrupted task " + a
                + ", will group it with other corrupted tasks and handle together",
                new TaskCorruptedException(Set.of(a)));
        context.getLogger(STREAM_THREAD).warn("stream-thread [app-1-StreamThread-1] Detected the states of tasks "
                + Set.of(a, b) + " are corrupted. Will close the task as dirty and re-create and bootstrap from"
                + " scratch.", new TaskCorruptedException(Set.of(a, b)));

        List<ILoggingEvent> events = seen.list;
        assertEquals(1, events.size(), () -> events.toString());
        ILoggingEvent line = events.get(0);
        assertEquals(Level.WARN, line.getLevel());
        assertEquals(RecoveryLogFilter.LOGGER, line.getLoggerName());
        assertNull(line.getThrowableProxy(), "one line, no stack trace");
        assertTrue(line.getFormattedMessage().contains("0_1") && line.getFormattedMessage().contains("4_5"),
                line.getFormattedMessage());
        assertTrue(line.getFormattedMessage().contains("restoring it from the changelog"), line.getFormattedMessage());
    }

    @Test
    void anyOtherErrorStillLogsAsAnError() {
        TaskId a = new TaskId(0, 1);
        TaskId b = new TaskId(2, 0);
        context.getLogger(TASK_MANAGER).error("stream-thread [t] Get exceptions for the following tasks: {}",
                Map.of(a, new TaskCorruptedException(Set.of(a)), b, new IllegalStateException("disk full")));
        context.getLogger(STREAM_THREAD).error("stream-thread [t] Encountered the following exception during"
                + " processing", new IllegalStateException("boom"));
        context.getLogger("io.asyncwatch.Anything").error("not Kafka's", new TaskCorruptedException(Set.of(a)));

        assertEquals(3, seen.list.size(), () -> seen.list.toString());
        seen.list.forEach(e -> assertEquals(Level.ERROR, e.getLevel(), e.getFormattedMessage()));
    }
}
