package io.asyncwatch.model;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seeds' morning async health check over one period of event time, on {@code asyncwatch.standup} (schema:
 * {@code schemas/standup.avsc}): three questions, the daily causality violation count and the alerts of the period,
 * each with its status. Maps are sorted so that output is byte-identical from run to run.
 */
public record StandupSummary(
        StandupKind kind,
        long periodStart,
        long periodEnd,
        StandupStatus status,
        ClockSkewAnswer clockSkew,
        RetryLoopsAnswer retryLoops,
        ConcurrentWritesAnswer concurrentWrites,
        CausalityAnswer causality,
        AlertsAnswer alerts,
        long lateFacts,
        long untracked,
        String advice) {

    public enum StandupKind { DAILY, ROLLING }

    /** OK, ⚠ (WARNING), 🚨 (CRITICAL); NO_DATA when nothing in the period answers the question. */
    public enum StandupStatus { OK, WARNING, CRITICAL, NO_DATA }

    public enum SkewTrend { WORSENING, STEADY, IMPROVING, UNKNOWN }

    public record ClockSkewAnswer(StandupStatus status, Double currentMs, String currentNode, Double maxMs,
                                  String maxNode, String maxCluster, SkewTrend trend, int nodes) {
    }

    public record RetryLoopsAnswer(StandupStatus status, long total, long successful, Double successShare,
                                   long timedOut, long attempts, int storms, List<String> stormServices) {
        public RetryLoopsAnswer {
            stormServices = List.copyOf(stormServices);
        }
    }

    public record ConcurrentWritesAnswer(StandupStatus status, long conflicts, long vectorConflicts,
                                         long possibleConflicts, List<String> entities, String resolution) {
        public ConcurrentWritesAnswer {
            entities = List.copyOf(entities);
        }
    }

    public record CausalityAnswer(StandupStatus status, long violations, List<String> nodes) {
        public CausalityAnswer {
            nodes = List.copyOf(nodes);
        }
    }

    public record AlertsAnswer(int fired, Map<String, Integer> bySeverity, Map<String, Integer> byType,
                               List<String> fingerprints) {
        public AlertsAnswer {
            bySeverity = new TreeMap<>(bySeverity);
            byType = new TreeMap<>(byType);
            fingerprints = List.copyOf(fingerprints);
        }
    }
}
