package io.asyncwatch.run;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Map;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.slf4j.Marker;

/**
 * Under exactly-once, a task whose state was not closed cleanly (the process was killed) is wiped and restored from
 * its changelog on the next start. Kafka Streams reports that expected step as an ERROR plus a stack trace per
 * task, which would page anyone alerting on ERROR lines; this filter turns it into one WARN line per stream thread
 * on the {@value #LOGGER} logger. Only messages whose exceptions are all {@link TaskCorruptedException} are
 * touched: any other error still logs as an ERROR.
 */
public final class RecoveryLogFilter extends TurboFilter {

    public static final String LOGGER = "io.asyncwatch.recovery";
    private static final String STREAMS = "org.apache.kafka.streams.";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (format == null || !level.isGreaterOrEqual(Level.WARN) || !logger.getName().startsWith(STREAMS)) {
            return FilterReply.NEUTRAL;
        }
        Throwable thrown = t != null ? t : lastThrowable(params);
        if (format.contains("Get exceptions for the following tasks") && onlyCorruption(params)) {
            return FilterReply.DENY;
        }
        if (format.contains("Detected the states of tasks") && thrown instanceof TaskCorruptedException e) {
            logger.getLoggerContext().getLogger(LOGGER).warn("local state of tasks {} cannot be trusted ({}):"
                    + " wiping it and restoring it from the changelog topics, as exactly-once requires (expected after"
                    + " a crash)", e.corruptedTasks(), e.getMessage());
            return FilterReply.DENY;
        }
        // The per-task details of the same recovery, summarised by the line above.
        if (thrown instanceof TaskCorruptedException && !level.isGreaterOrEqual(Level.ERROR)
                || format.contains("did not find checkpoint offsets while stores are not empty")
                || format.contains("Failed to register startup state stores") && mentionsCorruption(params)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    private static boolean onlyCorruption(Object[] params) {
        if (params == null || params.length == 0 || !(params[0] instanceof Map<?, ?> byTask) || byTask.isEmpty()) {
            return false;
        }
        return byTask.values().stream().allMatch(e -> e instanceof TaskCorruptedException);
    }

    private static boolean mentionsCorruption(Object[] params) {
        if (params != null) {
            for (Object p : params) {
                if (p instanceof TaskCorruptedException || p instanceof String m && m.contains("are corrupted")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Throwable lastThrowable(Object[] params) {
        return params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
    }
}
