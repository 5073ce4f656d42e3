package io.asyncwatch.detect.duplicates;

import io.asyncwatch.serde.Bin;
import java.util.ArrayList;
import java.util.List;

/** Duplicated intents of one service in one window. Samples are the smallest ids: arrival order cannot change them. */
final class DuplicateWindow {

    static final int MAX_SAMPLES = 3;
    private static final int VERSION = 1;

    long start;
    long count;
    long zombies;
    long late;
    final List<String> requestIds = new ArrayList<>();
    final List<String> entities = new ArrayList<>();
    final List<String> zombieNotes = new ArrayList<>();
    final List<String> writeIds = new ArrayList<>();

    DuplicateWindow(long start) {
        this.start = start;
    }

    void add(DuplicateIntent d, boolean lateArrival) {
        count++;
        if (lateArrival) {
            late++;
        }
        if (d.zombie() != null) {
            zombies++;
            smallest(zombieNotes, d.requestId() + ": " + d.zombie());
        }
        smallest(requestIds, d.requestId());
        if (d.entity() != null) {
            smallest(entities, d.entity());
        }
        if (!d.writeIds().isEmpty()) {
            smallest(writeIds, d.requestId() + " written by " + String.join(" and ", d.writeIds()));
        }
    }

    private static void smallest(List<String> list, String v) {
        if (list.contains(v)) {
            return;
        }
        list.add(v);
        list.sort(null);
        if (list.size() > MAX_SAMPLES) {
            list.remove(MAX_SAMPLES);
        }
    }

    byte[] toBytes() {
        return Bin.writer().u8(VERSION).varlong(start).varlong(count).varlong(zombies).varlong(late)
                .strings(requestIds).strings(entities).strings(zombieNotes).strings(writeIds).bytes();
    }

    static DuplicateWindow fromBytes(byte[] b) {
        Bin.Reader r = Bin.versioned(b, VERSION, "duplicate window");
        DuplicateWindow w = new DuplicateWindow(r.varlong());
        w.count = r.varlong();
        w.zombies = r.varlong();
        w.late = r.varlong();
        w.requestIds.addAll(r.strings());
        w.entities.addAll(r.strings());
        w.zombieNotes.addAll(r.strings());
        w.writeIds.addAll(r.strings());
        return w;
    }
}
