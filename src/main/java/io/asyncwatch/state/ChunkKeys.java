package io.asyncwatch.state;

/**
 * Keys of chunk records ({@code k|<bucket>|<sequence>}) that a store's key order sorts by time bucket, then by
 * sequence: numbers as fixed-width text.
 */
public final class ChunkKeys {

    private ChunkKeys() {
    }

    /** A bucket start (epoch ms) as fixed-width text. */
    public static String bucket(long b) {
        return b < 0 ? "-" + padded(-b, 19) : padded(b, 20);
    }

    /** A chunk's sequence number as fixed-width text. */
    public static String sequence(long seq) {
        return padded(seq, 19);
    }

    private static String padded(long v, int width) {
        String digits = Long.toString(v);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
