package io.asyncwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.testing.InterceptKafkaExit;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code asyncwatch run} in a process of its own, stopped with SIGTERM once running: a clean stop exits 0. */
@ExtendWith(InterceptKafkaExit.class)
class StopSignalTest {

    @Test
    @Timeout(120)
    void sigtermStopsCleanlyWithExitStatusZero(@TempDir Path tmp) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"))) {
            Path config = tmp.resolve("app.properties");
            Files.writeString(config, "bootstrap.servers=" + kafka.bootstrapServers() + "\n"
                    + "application.id=asyncwatch-stop-test\n"
                    + "state.dir=" + tmp.resolve("state").toString().replace('\\', '/') + "\n",
                    StandardCharsets.UTF_8);
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "io.asyncwatch.cli.Main", "run", "--config", config.toString(), "--create-topics")
                    .redirectErrorStream(true).start();
            List<String> output = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    output.add(line);
                    if (line.contains("-> RUNNING")) {
                        p.toHandle().destroy(); // SIGTERM, leaving our end of its output open
                    }
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped");
            String all = String.join("\n", output);
            assertTrue(output.stream().anyMatch(l -> l.contains("-> RUNNING")), all);
            assertTrue(output.stream().anyMatch(l -> l.equals("asyncwatch: stopped")), all);
            assertEquals(0, p.exitValue(), all);
        }
    }
}
