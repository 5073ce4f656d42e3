package io.asyncwatch.serde;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compact binary format of internal topics and state: varints, length-prefixed UTF-8, no field names.
 * Internal records are not a public contract (public topics keep JSON / Avro), so every byte saved here is a
 * byte less through the broker and the changelogs. Each record type writes a version byte first.
 */
public final class Bin {

    private Bin() {
    }

    public static Writer writer() {
        return new Writer(64);
    }

    /** A writer sized for about {@code capacity} bytes: a big record grows its buffer fewer times. */
    public static Writer writer(int capacity) {
        return new Writer(Math.max(16, capacity));
    }

    public static Reader reader(byte[] bytes) {
        return new Reader(bytes);
    }

    public static final class Writer {
        private final Buffer out;

        private Writer(int capacity) {
            out = new Buffer(capacity);
        }

        public Writer u8(int v) {
            out.write(v);
            return this;
        }

        /** Bytes as they are, without a length: what another writer produced, spliced in. */
        public Writer raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        /** {@code len} bytes of {@code b} from {@code off}, as they are, without a length. */
        public Writer raw(byte[] b, int off, int len) {
            out.write(b, off, len);
            return this;
        }

        /** What another writer holds, spliced in without a length (as {@link #raw(byte[])}, without a copy). */
        public Writer raw(Writer other) {
            if (other == this) {
                throw new IllegalArgumentException("a writer cannot be spliced into itself");
            }
            out.write(other.out.buf, 0, other.out.size);
            return this;
        }

        /** Bytes written so far. */
        public int size() {
            return out.size();
        }

        public Writer bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        /** Zig-zag varint: small magnitudes of either sign take one or two bytes. */
        public Writer varlong(long v) {
            long z = (v << 1) ^ (v >> 63);
            while ((z & ~0x7FL) != 0) {
                out.write((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            out.write((int) z);
            return this;
        }

        public Writer f64(double v) {
            return i64(Double.doubleToRawLongBits(v));
        }

        /** Eight bytes, big-endian: a long whose bits are all used (half a UUID). */
        public Writer i64(long bits) {
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (i * 8)));
            }
            return this;
        }

        /** A string that may be null. */
        public Writer str(String s) {
            if (s == null) {
                return varlong(-1);
            }
            int n = s.length();
            // Nearly every string here (ids, names) is ASCII: its UTF-8 is its chars, without a byte[] made first.
            int mark = out.size();
            varlong(n);
            if (out.writeAscii(s, n)) {
                return this;
            }
            out.truncate(mark);
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varlong(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        public Writer bytes(byte[] b) {
            if (b == null) {
                return varlong(-1);
            }
            varlong(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        public Writer strings(List<String> list) {
            varlong(list.size());
            list.forEach(this::str);
            return this;
        }

        public Writer stringMap(Map<String, String> map) {
            varlong(map.size());
            map.forEach((k, v) -> str(k).str(v));
            return this;
        }

        /** A map of counters (a vector clock), keys sorted so that equal maps encode equally. */
        public Writer longMap(Map<String, Long> map) {
            varlong(map.size());
            if (map.size() == 1 || map instanceof java.util.SortedMap<String, Long> sorted
                    && sorted.comparator() == null) {
                map.forEach((k, v) -> str(k).varlong(v));
            } else if (!map.isEmpty()) {
                new java.util.TreeMap<>(map).forEach((k, v) -> str(k).varlong(v));
            }
            return this;
        }

        /** A map of doubles in key order (a sorted copy unless it is already one). */
        public Writer doubleMap(Map<String, Double> map) {
            varlong(map.size());
            Map<String, Double> sorted = map instanceof java.util.SortedMap<String, Double> m && m.comparator() == null
                    ? map : new java.util.TreeMap<>(map);
            sorted.forEach((k, v) -> str(k).f64(v));
            return this;
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }

    /**
     * A growable byte array: what ByteArrayOutputStream does without a lock taken per byte written (a varint is
     * written a byte at a time, and every internal record is made of them).
     */
    private static final class Buffer {
        private byte[] buf;
        private int size;

        Buffer(int capacity) {
            buf = new byte[capacity];
        }

        void write(int b) {
            if (size == buf.length) {
                grow(1);
            }
            buf[size++] = (byte) b;
        }

        void write(byte[] b, int off, int len) {
            if (size + len > buf.length) {
                grow(len);
            }
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        /** Appends {@code s} (its {@code n} chars) if all are ASCII, in one pass; false (size unchanged) if not. */
        boolean writeAscii(String s, int n) {
            if (size + n > buf.length) {
                grow(n);
            }
            byte[] to = buf;
            int at = size;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) {
                    return false;
                }
                to[at + i] = (byte) c;
            }
            size += n;
            return true;
        }

        void truncate(int length) {
            size = length;
        }

        int size() {
            return size;
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, size);
        }

        private void grow(int needed) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + needed));
        }
    }

    public static final class Reader {
        private final ByteBuffer b;

        Reader(byte[] bytes) {
            b = ByteBuffer.wrap(bytes);
        }

        public int u8() {
            return b.get() & 0xFF;
        }

        public boolean bool() {
            return u8() == 1;
        }

        public long varlong() {
            long z = 0;
            int shift = 0;
            while (true) {
                int x = b.get() & 0xFF;
                z |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
                shift += 7;
                if (shift > 63) {
                    throw new IllegalArgumentException("malformed varint");
                }
            }
            return (z >>> 1) ^ -(z & 1);
        }

        public int varint() {
            return Math.toIntExact(varlong());
        }

        public double f64() {
            return Double.longBitsToDouble(i64());
        }

        public long i64() {
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (b.get() & 0xFF);
            }
            return bits;
        }

        public String str() {
            int n = varint();
            if (n < 0) {
                return null;
            }
            if (n > b.remaining()) {
                throw new java.nio.BufferUnderflowException();
            }
            // Decoded where it lies: no copy of the bytes first.
            String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
            b.position(b.position() + n);
            return s;
        }

        public byte[] bytes() {
            int n = varint();
            if (n < 0) {
                return null;
            }
            byte[] raw = new byte[n];
            b.get(raw);
            return raw;
        }

        public List<String> strings() {
            int n = varint();
            List<String> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(str());
            }
            return list;
        }

        public Map<String, String> stringMap() {
            int n = varint();
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                map.put(str(), str());
            }
            return map;
        }

        /** As written by {@link Writer#longMap}; an empty map is {@code Map.of()}. */
        public Map<String, Double> doubleMap() {
            long n = varlong();
            Map<String, Double> map = new java.util.TreeMap<>();
            for (long i = 0; i < n; i++) {
                map.put(str(), f64());
            }
            return map;
        }

        public Map<String, Long> longMap() {
            long n = varlong();
            if (n == 0) {
                return Map.of();
            }
            Map<String, Long> map = new java.util.TreeMap<>();
            for (long i = 0; i < n; i++) {
                map.put(str(), varlong());
            }
            return map;
        }

        public boolean done() {
            return !b.hasRemaining();
        }

        /** The offset of the next byte to read in the array read. */
        public int position() {
            return b.position();
        }
    }

    /** A Kafka serde for an internal record type; {@code null} stays {@code null}. */
    public static <T> org.apache.kafka.common.serialization.Serde<T> serde(
            java.util.function.Function<T, byte[]> encode, java.util.function.Function<byte[], T> decode) {
        return org.apache.kafka.common.serialization.Serdes.serdeFrom(
                (topic, v) -> v == null ? null : encode.apply(v),
                (topic, bytes) -> bytes == null ? null : decode.apply(bytes));
    }

    /** Checks the version byte every internal format starts with. */
    public static Reader versioned(byte[] bytes, int version, String what) {
        Reader r = reader(bytes);
        int v = r.u8();
        if (v != version) {
            throw new IllegalStateException("unknown " + what + " format version " + v + " (expected " + version + ")");
        }
        return r;
    }
}
