package io.asyncwatch.serde;

/** A payload that cannot be turned into an event; the message is the dead-letter reason. */
public final class DecodeException extends Exception {
    public DecodeException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public DecodeException(String reason) {
        super(reason);
    }
}
