package io.asyncwatch.detect.retrystorm;

import io.asyncwatch.model.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts of one service in one window. {@code sampleRetryIds} keeps the lexicographically smallest few retry
 * event ids as evidence: smallest rather than first, so that arrival order and how the counts were split into
 * partial aggregates cannot change the evidence.
 */
final class WindowCounts {

    static final int MAX_SAMPLES = 3;

    long attempts;
    long retries;
    /** Retries that succeeded and that timed out again: the standup's timeout-retry loops. */
    long retriesSucceeded;
    long retriesTimedOut;
    long clockSuspect;
    long late;
    boolean hot;
    final List<String> sampleRetryIds = new ArrayList<>(MAX_SAMPLES);

    void add(boolean retry, Status status, boolean suspect, String eventId) {
        attempts++;
        if (suspect) {
            clockSuspect++;
        }
        if (retry) {
            retries++;
            if (status == Status.SUCCESS) {
                retriesSucceeded++;
            } else if (status == Status.TIMEOUT) {
                retriesTimedOut++;
            }
            sample(eventId);
        }
    }

    void add(RetryDelta d) {
        attempts += d.attempts();
        retries += d.retries();
        retriesSucceeded += d.retriesSucceeded();
        retriesTimedOut += d.retriesTimedOut();
        clockSuspect += d.clockSuspect();
        late += d.late();
        d.sampleRetryIds().forEach(this::sample);
    }

    boolean isEmpty() {
        return attempts == 0 && late == 0;
    }

    void sample(String eventId) {
        int i = 0;
        while (i < sampleRetryIds.size() && sampleRetryIds.get(i).compareTo(eventId) < 0) {
            i++;
        }
        if (i < sampleRetryIds.size() && sampleRetryIds.get(i).equals(eventId)) {
            return;
        }
        if (i < MAX_SAMPLES) {
            sampleRetryIds.add(i, eventId);
            if (sampleRetryIds.size() > MAX_SAMPLES) {
                sampleRetryIds.remove(MAX_SAMPLES);
            }
        }
    }
}
