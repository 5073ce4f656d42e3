package io.asyncwatch.ingest;

/**
 * Where an event entered asyncwatch (input topic, partition, offset): a stage that rejects it later (a late event)
 * still points its dead letter at the original record.
 */
public record Origin(String topic, int partition, long offset) {
}
