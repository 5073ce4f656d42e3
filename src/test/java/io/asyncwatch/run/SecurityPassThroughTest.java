package io.asyncwatch.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.embedded.EmbeddedKafka;
import io.asyncwatch.model.DeadLetter;
import io.asyncwatch.model.Metric;
import io.asyncwatch.model.RequestEvent;
import io.asyncwatch.replay.Recording;
import io.asyncwatch.testing.BrokerIo;
import io.asyncwatch.testing.InterceptKafkaExit;
import io.asyncwatch.testing.Requests;
import io.asyncwatch.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security is Kafka configuration, nothing more: {@code asyncwatch run --config FILE --create-topics}, in a JVM
 * of its own as the launcher runs it, against a broker listening for clients with TLS and SASL/PLAIN, where FILE
 * holds only Kafka properties. It creates the topics, processes requests into a dead letter and a metric, all
 * over the secured listener, and stops cleanly. The same file with a wrong password fails with an authentication
 * error instead of retrying forever.
 *
 * <p>The key material is made at test time: a self-signed certificate for 127.0.0.1 (clients check the host name,
 * as by default) from the JDK's keytool, and a truststore holding it.
 */
@ExtendWith(InterceptKafkaExit.class)
class SecurityPassThroughTest {

    private static final String USER = "asyncwatch";
    private static final String PASSWORD = "pass-through-secret";
    private static final String STORE_PASSWORD = "store-secret";
    private static final String SERVICE = "svc-a";
    private static final long T0 = Requests.T0;
    private static final String GARBAGE = "not an event";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @Test
    @Timeout(120)
    void runWorksOverSaslSslWithOnlyKafkaPropertiesAndAWrongPasswordFails(@TempDir Path tmp) throws Exception {
        Path keystore = tmp.resolve("broker.p12");
        Path truststore = tmp.resolve("truststore.p12");
        makeKeyMaterial(keystore, truststore);
        EmbeddedKafka.SaslSslListener secured =
                new EmbeddedKafka.SaslSslListener(keystore, STORE_PASSWORD, Map.of(USER, PASSWORD));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), Map.of(), secured)) {
            Map<String, String> client = clientProperties(kafka.saslSslBootstrapServers(), truststore, PASSWORD);
            Path file = writeConfig(tmp.resolve("secured.properties"), client, tmp.resolve("state"));
            AsyncwatchConfig config = AsyncwatchConfig.load(file, Map.of());

            try (Cli run = new Cli("run", "--config", file.toString(), "--create-topics")) {
                assertTrue(run.awaitLine("asyncwatch: topics ready", DEADLINE), run.output());
                BrokerIo.produce(client, config, recording());
                Outputs out = awaitOutputs(client, config);
                assertNotNull(out.deadLetter, "a dead letter for the garbage record; " + run.output());
                assertEquals(config.topics().requests(), out.deadLetter.sourceTopic());
                assertEquals(SERVICE, out.deadLetter.key());
                assertNotNull(out.metric, "the metric of the first minute; " + run.output());
                assertEquals(30, Math.round(out.metric.values().get("attempts")), out.metric.toString());
                assertEquals(3, Math.round(out.metric.values().get("retries")), out.metric.toString());

                // SIGTERM, as for any run; Process.destroy() would also close our end of its output.
                run.process.toHandle().destroy();
                assertEquals(0, run.exitStatus(DEADLINE), run.output());
                assertTrue(run.lines().contains("asyncwatch: stopped"), run.output());
            }

            Path wrong = writeConfig(tmp.resolve("wrong-password.properties"),
                    clientProperties(kafka.saslSslBootstrapServers(), truststore, "not-" + PASSWORD),
                    tmp.resolve("state-wrong"));
            try (Cli refused = new Cli("run", "--config", wrong.toString())) {
                assertEquals(1, refused.exitStatus(DEADLINE), refused.output());
                // Refused at the first request to the cluster (reading the requests topic's partitions).
                assertTrue(refused.lines().stream().anyMatch(l -> l.startsWith("asyncwatch: run failed")
                        && l.contains("SaslAuthenticationException: Authentication failed")), refused.output());
            }
        }
    }

    /** Three minutes of one service (30 requests a minute, 3 of them retries) and one record that is no event. */
    private static List<String> recording() {
        Requests r = new Requests();
        List<String> lines = new ArrayList<>();
        for (int minute = 0; minute < 3; minute++) {
            for (RequestEvent e : r.minute(SERVICE, "service", T0 + minute * Requests.MINUTE, 30, 3)) {
                lines.add(Recording.line("requests", e.timestamp(), e.service(), e));
            }
        }
        lines.add(Recording.line("requests", T0 + 1_000, SERVICE, GARBAGE));
        return lines;
    }

    /** What asyncwatch wrote, read over the secured listener as any consumer of its outputs would. */
    private record Outputs(DeadLetter deadLetter, Metric metric) {
    }

    /** Committed outputs from the beginning, until the dead letter and the first minute's metric are there. */
    private static Outputs awaitOutputs(Map<String, String> client, AsyncwatchConfig config) {
        Map<String, Object> c = new LinkedHashMap<>(client);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Topics topics = Topics.from(config);
        DeadLetter deadLetter = null;
        Metric metric = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(topics.dlq().name(), topics.metrics().name())) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = System.nanoTime() + DEADLINE.toNanos();
            while ((deadLetter == null || metric == null) && System.nanoTime() < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(topics.dlq().name())) {
                        DeadLetter d = topics.dlq().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        if (GARBAGE.equals(d.valueText())) {
                            deadLetter = d;
                        }
                    } else {
                        Metric m = topics.metrics().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        if (m.metric().equals("retry_multiplier") && SERVICE.equals(m.labels().get("service"))
                                && m.windowStart() == T0) {
                            metric = m;
                        }
                    }
                }
            }
        }
        return new Outputs(deadLetter, metric);
    }

    /** What a secured client needs, as plain Kafka client properties. */
    private static Map<String, String> clientProperties(String bootstrap, Path truststore, String password) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "PLAIN");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + USER + "\" password=\"" + password + "\";");
        p.put("ssl.truststore.location", truststore.toString());
        p.put("ssl.truststore.password", STORE_PASSWORD);
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }

    /** The config file: the client properties, plus where this run keeps its state. Nothing asyncwatch.*. */
    private static Path writeConfig(Path file, Map<String, String> client, Path stateDir) throws Exception {
        StringBuilder text = new StringBuilder();
        client.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append("application.id=asyncwatch-security-test\n");
        text.append("state.dir=").append(stateDir).append('\n');
        return Files.writeString(file, text.toString().replace('\\', '/'), StandardCharsets.UTF_8);
    }

    /** A self-signed key pair for 127.0.0.1 in a PKCS12 keystore, and a PKCS12 truststore holding its certificate. */
    private static void makeKeyMaterial(Path keystore, Path truststore) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "broker", "-keyalg", "EC",
                "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
        assertEquals(0, p.exitValue(), out);

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("broker", keys.getCertificate("broker"));
        try (OutputStream o = Files.newOutputStream(truststore)) {
            trust.store(o, STORE_PASSWORD.toCharArray());
        }
    }

    /**
     * {@code asyncwatch ARGS} in a JVM of its own, as the launcher runs it, without the KAFKA_* and ASYNCWATCH_*
     * environment variables that would add settings: the config file is all it gets. Output is collected line by
     * line; closing kills the process if it is still running.
     */
    private static final class Cli implements AutoCloseable {
        final Process process;
        private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        Cli(String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                    "-cp", System.getProperty("java.class.path"), "io.asyncwatch.cli.Main"));
            command.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("KAFKA_") || k.startsWith("ASYNCWATCH_"));
            process = pb.start();
            reader = new Thread(this::read, "asyncwatch-cli-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    unread.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Whether a line containing {@code text} was printed within {@code deadline}. */
        boolean awaitLine(String text, Duration deadline) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            for (long left = deadline.toNanos(); left > 0; left = end - System.nanoTime()) {
                String line = unread.poll(left, TimeUnit.NANOSECONDS);
                if (line != null && line.contains(text)) {
                    return true;
                }
            }
            return false;
        }

        /** The exit status once the process has ended and all its output is read; fails after the deadline. */
        int exitStatus(Duration deadline) throws InterruptedException {
            assertTrue(process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS),
                    "asyncwatch ended within " + deadline + "; " + output());
            reader.join(deadline.toMillis());
            return process.exitValue();
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        String output() {
            return "output:\n" + String.join("\n", lines());
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
