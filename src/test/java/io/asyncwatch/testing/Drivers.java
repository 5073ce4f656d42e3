package io.asyncwatch.testing;

import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** TopologyTestDriver settings shared by the topology tests. */
public final class Drivers {

    private Drivers() {
    }

    public static Properties props() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "asyncwatch-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        return p;
    }
}
