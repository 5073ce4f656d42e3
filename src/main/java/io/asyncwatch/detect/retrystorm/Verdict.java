package io.asyncwatch.detect.retrystorm;

/** How one closed window was judged; only {@link #STORM} produces an alerting finding. */
public enum Verdict {
    /** Fewer attempts than the minimum: too little traffic to say anything. */
    LOW_VOLUME,
    /** Not enough attempts in the trailing baseline yet (new or long-silent service). */
    NO_BASELINE,
    /** Multiplier below the warn threshold. */
    NORMAL,
    /** Multiplier above the warn threshold, but a count this high is plausible by chance at the baseline share. */
    NOT_SIGNIFICANT,
    /** Multiplier above the warn threshold and not explainable by chance. */
    STORM
}
