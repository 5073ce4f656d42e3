package io.asyncwatch.model;

public enum Kind { CALL, READ, WRITE }
