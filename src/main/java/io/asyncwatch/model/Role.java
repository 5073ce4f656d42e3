package io.asyncwatch.model;

public enum Role { LEADER, FOLLOWER, CANDIDATE }
