package io.asyncwatch.demo;

import java.util.List;

/**
 * One way of disturbing the normal traffic of a {@link TrafficGenerator.Plan}: a retry storm, duplicate writes, and
 * later cascades, clock trouble, lost heartbeats, conflicting writes. A scenario keeps no state between minutes: what
 * it does follows from the minute it is shown and the plan's random, so a plan stays deterministic for its seed and
 * can be iterated more than once.
 */
public interface Scenario {

    /**
     * Shapes one minute, before its normal traffic is generated: change the normal services' parameters, add events
     * of its own (standing in for normal ones where volumes must not change), or rewrite the normal events.
     * Called for every minute of the plan; most scenarios return at once outside their minutes.
     */
    void minute(Minute minute);

    /** The alert episodes this scenario should cause: each must fire and then resolve. */
    default List<ExpectedEpisode> expectedEpisodes() {
        return List.of();
    }
}
