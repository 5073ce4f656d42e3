package io.asyncwatch.detect.amplification;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.asyncwatch.model.Severity;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LayerOrderTest {

    @Test
    void callersAreAboveTheirCalleesWhateverTheLayersAreCalled() {
        assertEquals(List.of("edge", "app", "store"), LayerOrder.infer(Set.of("store", "app", "edge"),
                Map.of("edge", Set.of("app"), "app", Set.of("store"))));
    }

    @Test
    void withoutEdgesTheContractOrderDecidesAndUnknownLayersComeLast() {
        assertEquals(List.of("api-gateway", "service", "database", "cache"),
                LayerOrder.infer(Set.of("database", "cache", "service", "api-gateway"), Map.of()));
    }

    @Test
    void layersCallingEachOtherAreOrderedByTheContractNotByTheCycle() {
        assertEquals(List.of("api-gateway", "service", "database"), LayerOrder.infer(
                Set.of("api-gateway", "service", "database"),
                Map.of("api-gateway", Set.of("service"), "service", Set.of("database", "api-gateway"),
                        "database", Set.of("service"))));
    }

    @Test
    void theDeathSpiralCompoundsAndTheDeepestLayerDecides() {
        assertEquals(Severity.PAGE, AmplificationMath.severity(List.of(3.0, 9.0, 27.0), 9, 27));
        assertEquals(Severity.ALERT, AmplificationMath.severity(List.of(3.0, 9.0, 12.0), 9, 27));
        assertEquals(null, AmplificationMath.severity(List.of(3.0, 30.0, 12.0), 9, 27),
                "the database amplifies less than the layer above: not compounding");
        assertEquals(null, AmplificationMath.severity(List.of(Double.NaN, 30.0, Double.NaN), 9, 27),
                "one judged layer is no stack");
        assertEquals(Severity.PAGE, AmplificationMath.severity(List.of(3.0, Double.NaN, 27.0), 9, 27),
                "a layer without traffic in between is skipped");
        assertEquals(3.0, AmplificationMath.factor(AmplificationMath.fanOut(9, 3), 1.0));
        assertEquals(true, Double.isNaN(AmplificationMath.fanOut(5, 0)));
        assertEquals(true, Double.isNaN(AmplificationMath.growth(5, 0)));
    }
}
