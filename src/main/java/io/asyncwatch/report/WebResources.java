package io.asyncwatch.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The web files packaged in the application (page, script, the ECharts bundle the build unpacks from its WebJar). */
public final class WebResources {

    public static final String ECHARTS = "web/echarts/echarts.min.js";

    private WebResources() {
    }

    /** The bytes of {@code name} from the classes; fails saying how to get it when the build did not package it. */
    public static byte[] bytes(String name) {
        try (InputStream in = WebResources.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath (the build packages it, the ECharts"
                        + " bundle unpacked from its WebJar: run ./mvnw package)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
