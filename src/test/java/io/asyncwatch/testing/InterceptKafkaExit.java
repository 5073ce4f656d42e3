package io.asyncwatch.testing;

import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For tests that start a broker: a fatal broker error calls Kafka's Exit.exit/halt, which would end the Surefire
 * JVM instead of failing the test. Use with {@code @ExtendWith(InterceptKafkaExit.class)}.
 */
public final class InterceptKafkaExit implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("broker called Exit.exit(" + status + "): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("broker called Exit.halt(" + status + "): " + message);
        });
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Exit.resetExitProcedure();
        Exit.resetHaltProcedure();
    }
}
