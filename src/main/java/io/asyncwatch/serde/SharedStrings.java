package io.asyncwatch.serde;

import java.nio.charset.StandardCharsets;

/**
 * Short ASCII strings read again and again (service, layer, node and destination names, operations), handed out as
 * one instance per name instead of a new one per event: less to allocate, and their hash is computed once for every
 * map they key. A small direct-mapped cache: a name that collides with another is simply made anew.
 *
 * <p>Shared by the stream threads without a lock: a slot holds a reference to an immutable String, so a reader sees
 * either the old or the new one, and uses it only when its characters are the ones read.
 */
final class SharedStrings {

    /** Longer strings are not names: made anew each time. */
    static final int MAX_LENGTH = 64;
    private static final int SLOTS = 1024;

    private final String[] slots = new String[SLOTS];

    /** The string of {@code b[from, to)}, which holds printable ASCII only. */
    String get(byte[] b, int from, int to) {
        int n = to - from;
        if (n > MAX_LENGTH) {
            return new String(b, from, n, StandardCharsets.ISO_8859_1);
        }
        int h = 0;
        for (int k = from; k < to; k++) {
            h = 31 * h + b[k]; // String.hashCode of the same ASCII characters
        }
        int slot = (h ^ (h >>> 10)) & (SLOTS - 1);
        String s = slots[slot];
        if (s != null && s.length() == n && s.hashCode() == h && same(s, b, from)) {
            return s;
        }
        s = new String(b, from, n, StandardCharsets.ISO_8859_1);
        slots[slot] = s;
        return s;
    }

    private static boolean same(String s, byte[] b, int from) {
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) != b[from + k]) {
                return false;
            }
        }
        return true;
    }
}
