package io.asyncwatch.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An {@code asyncwatch} command in a process of its own (same Java, same class path), its stdout and stderr in a
 * log file. The crash suite kills these with SIGKILL, which an in-process client could not survive.
 */
final class Child {

    private static final long POLL_MILLIS = 20;

    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos;

    private Child(String name, Process process, Path log, long startedNanos) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /**
     * Starts {@code java [jvmOptions] -cp CLASSPATH io.asyncwatch.cli.Main args}; its output is appended to
     * {@code log}, so restarts of one role share a file.
     */
    static Child start(String name, List<String> jvmOptions, List<String> args, Map<String, String> env, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        // Absolute, so the child does not depend on the working directory.
        command.add(java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator)));
        command.add("io.asyncwatch.cli.Main");
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "=== " + name + ": " + String.join(" ", args) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new Child(name, pb.start(), log, t0);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    long startedNanos() {
        return startedNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /**
     * Waits until the log has {@code occurrences} lines containing {@code marker} counted from {@code fromLine}
     * (lines before it belong to earlier runs); returns the last such line.
     *
     * @throws IllegalStateException if the process ends first or the time is up
     */
    String awaitLine(String marker, int fromLine, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = fromLine; i < lines.size(); i++) {
                if (lines.get(i).contains(marker)) {
                    return lines.get(i);
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " ended (exit " + process.exitValue() + ") before '" + marker
                        + "'; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not log '" + marker + "' within " + timeout.toSeconds()
                        + " s; see " + log);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Lines in the log so far: where the next run's lines start. */
    int lineCount() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).size();
    }

    /** SIGKILL without waiting (from a shutdown hook). */
    void destroyNow() {
        process.destroyForcibly();
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM; returns the exit status, or -1 if it had not ended after {@code timeout} (then SIGKILL). */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        kill();
        return -1;
    }

    /** Peak resident set size (VmHWM) in bytes, or -1 where /proc is not available. */
    long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Gone already, or not Linux.
        }
        return -1;
    }
}
