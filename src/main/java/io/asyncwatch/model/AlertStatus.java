package io.asyncwatch.model;

public enum AlertStatus { FIRING, RESOLVED }
