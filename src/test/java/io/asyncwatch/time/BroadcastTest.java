package io.asyncwatch.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BroadcastTest {

    private final Broadcast<String, String> broadcast = new Broadcast<>("tick"::equals);

    @Test
    void aTickGoesToEveryPartitionOfTheTopicItIsSentTo() {
        assertEquals(Optional.of(Set.of(0, 1, 2)), broadcast.partitions("t", "", "tick", 3));
        assertEquals(Optional.of(Set.of(0, 1, 2, 3, 4, 5)), broadcast.partitions("u", "", "tick", 6));
        // Back to the first count: the set follows the count asked for, not the last one built.
        assertEquals(Optional.of(Set.of(0, 1, 2)), broadcast.partitions("t", "", "tick", 3));
        assertEquals(Optional.of(Set.of(0)), broadcast.partitions("t", "", "tick", 1));
    }

    @Test
    void anythingElseIsPartitionedByItsKey() {
        assertEquals(Optional.empty(), broadcast.partitions("t", "k", "event", 3));
        assertEquals(Optional.empty(), broadcast.partitions("t", "k", null, 3));
    }
}
