package io.asyncwatch.ingest;

import io.asyncwatch.model.DeadLetter;

/** Exactly one of {@code accepted} and {@code rejected} is set. */
record Ingested<T>(Accepted<T> accepted, DeadLetter rejected) {
}
