package io.asyncwatch.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The internal binary format: what the stores and internal topics already hold must read the same. */
class BinTest {

    /** Strings as the format defines them: a zig-zag varint length, then the UTF-8 bytes. */
    private static byte[] reference(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        long z = ((long) utf8.length << 1);
        while ((z & ~0x7FL) != 0) {
            out.write((int) ((z & 0x7F) | 0x80));
            z >>>= 7;
        }
        out.write((int) z);
        out.write(utf8, 0, utf8.length);
        return out.toByteArray();
    }

    private static final List<String> STRINGS = List.of("", "a", "svc-order", "id:4f1c2a9e-0000-4000-8000-00000000002a",
            "x".repeat(300), "café", "naïve-node", "节点-1", "emoji 🚨 page", "\u007f", "\u0080", "mixed ascii then é");

    @Test
    void stringsAreWrittenAsLengthAndUtf8WhetherAsciiOrNot() {
        for (String s : STRINGS) {
            assertArrayEquals(reference(s), Bin.writer().str(s).bytes(), s);
        }
        // A lone surrogate is not ASCII: written as String.getBytes writes it (replaced), as before.
        assertArrayEquals(reference("a\ud800b"), Bin.writer().str("a\ud800b").bytes());
    }

    @Test
    void stringsReadBackAmongOtherFields() {
        Bin.Writer w = Bin.writer(16).u8(7);
        for (String s : STRINGS) {
            w.str(s).varlong(-s.length());
        }
        w.str(null).f64(2.5);
        Bin.Reader r = Bin.reader(w.bytes());
        assertEquals(7, r.u8());
        for (String s : STRINGS) {
            assertEquals(s, r.str());
            assertEquals(-s.length(), r.varlong());
        }
        assertNull(r.str());
        assertEquals(2.5, r.f64());
        assertTrue(r.done());
    }

    @Test
    void aStringLongerThanWhatIsLeftIsRefusedWithoutReadingPastTheEnd() {
        byte[] whole = Bin.writer().str("abcdef").bytes();
        byte[] cut = Arrays.copyOf(whole, whole.length - 2);
        assertThrows(BufferUnderflowException.class, () -> Bin.reader(cut).str());
        // An absurd length (a corrupt record) is refused the same way, not allocated.
        byte[] absurd = Bin.writer().varlong(Integer.MAX_VALUE).u8(1).bytes();
        assertThrows(BufferUnderflowException.class, () -> Bin.reader(absurd).str());
    }

    @Test
    void splicingAWriterEqualsSplicingItsBytes() {
        Bin.Writer inner = Bin.writer(16).str("span-1").varlong(123_456_789L).f64(0.25);
        byte[] innerBytes = inner.bytes();
        assertArrayEquals(Bin.writer().u8(1).raw(innerBytes).bytes(), Bin.writer().u8(1).raw(inner).bytes());
    }
}
