package io.asyncwatch.model;

/**
 * A record that could not be used, with everything needed to find, understand and re-drive it:
 * the original bytes, where they came from and why they were rejected.
 */
public record DeadLetter(
        String sourceTopic,
        Integer sourcePartition,
        Long sourceOffset,
        Long recordTimestamp,
        String key,
        byte[] value,
        String valueText,
        String reason) {
}
