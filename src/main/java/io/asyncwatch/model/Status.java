package io.asyncwatch.model;

/** Outcome of one request attempt. */
public enum Status { SUCCESS, TIMEOUT, ERROR }
