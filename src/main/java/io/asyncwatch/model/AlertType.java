package io.asyncwatch.model;

/** Every alert type of the public contract; detectors that do not exist yet keep their slot. */
public enum AlertType {
    RETRY_STORM, LAYER_AMPLIFICATION, CAUSALITY_VIOLATION, LOGICAL_CLOCK_JUMP, CONCURRENT_WRITE,
    CLOCK_SKEW, CLOCK_DRIFT, SPLIT_BRAIN, FALSE_DEATH, HEARTBEAT_LOSS, LATENCY_TAIL,
    TIMEOUT_EFFECTIVENESS, CASCADE_TIMEOUT, DUPLICATE_OPERATION
}
