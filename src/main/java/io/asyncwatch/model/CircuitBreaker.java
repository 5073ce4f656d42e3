package io.asyncwatch.model;

/** State of the caller's circuit breaker toward the destination. */
public enum CircuitBreaker { CLOSED, OPEN, HALF_OPEN }
