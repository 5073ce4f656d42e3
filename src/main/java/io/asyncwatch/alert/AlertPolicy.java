package io.asyncwatch.alert;

/**
 * How episodes of one alert type end, declared by the detector that raises it; the alert stage applies it.
 *
 * @param windowMs  for {@link Resolution#CLEAR_WINDOWS}: the detector's window, so that windows of silence count as
 *                  clear (a service that crashes mid-storm still resolves); unused otherwise
 * @param direction which way the measured value gets worse: it decides what the "peak" of an episode is
 */
public record AlertPolicy(Resolution resolution, long windowMs, Direction direction) {

    public enum Resolution {
        /** Windowed detectors: clear for N consecutive windows (clear findings, or silence). */
        CLEAR_WINDOWS,
        /** Event-driven detectors (a duplicate, a violation, a conflict): no new evidence for a quiet period. */
        QUIET_PERIOD
    }

    public enum Direction {
        HIGHER_IS_WORSE, LOWER_IS_WORSE;

        boolean worse(double candidate, double than) {
            return this == HIGHER_IS_WORSE ? candidate > than : candidate < than;
        }
    }

    public static AlertPolicy windowed(long windowMs, Direction direction) {
        return new AlertPolicy(Resolution.CLEAR_WINDOWS, windowMs, direction);
    }

    public static AlertPolicy eventDriven(Direction direction) {
        return new AlertPolicy(Resolution.QUIET_PERIOD, 0, direction);
    }

    public AlertPolicy {
        if (resolution == Resolution.CLEAR_WINDOWS && windowMs <= 0) {
            throw new IllegalArgumentException("a windowed policy needs the window length");
        }
    }
}
