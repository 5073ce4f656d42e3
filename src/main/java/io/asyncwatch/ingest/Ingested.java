package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;

/** Exactly one of {@code event} and {@code rejected} is set. */
record Ingested<T>(T event, DeadLetter rejected) {
}
