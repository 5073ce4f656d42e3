package io.asyncwatch.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Text for dead letters: payloads a person can read, distances a person can grasp. */
public final class Texts {

    private static final int MAX_TEXT_CHARS = 4096;

    private Texts() {
    }

    /** "365 d", "3 h", "12 min", "45 s": how far, for a person reading the dead letter. */
    public static String distance(long ms) {
        long a = Math.abs(ms);
        if (a >= 86_400_000L) {
            return Math.round(a / 86_400_000.0) + " d";
        }
        if (a >= 3_600_000L) {
            return Math.round(a / 3_600_000.0) + " h";
        }
        if (a >= 60_000L) {
            return Math.round(a / 60_000.0) + " min";
        }
        return String.format(Locale.ROOT, "%.1f s", a / 1000.0);
    }

    /** The payload as text when it is UTF-8, so a person can read the DLQ without decoding base64. */
    public static String text(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
            return s.length() > MAX_TEXT_CHARS ? s.substring(0, MAX_TEXT_CHARS) + "…" : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
