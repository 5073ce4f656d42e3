package io.asyncwatch.cli;

import io.asyncwatch.AsyncwatchTopology;
import io.asyncwatch.config.AsyncwatchConfig;
import io.asyncwatch.demo.Benchmark;
import io.asyncwatch.demo.BrokerCommand;
import io.asyncwatch.demo.CrashSuite;
import io.asyncwatch.demo.Demo;
import io.asyncwatch.demo.TrafficGenerator;
import io.asyncwatch.replay.Recorder;
import io.asyncwatch.report.ReportCommand;
import io.asyncwatch.replay.Replayer;
import io.asyncwatch.model.StandupSummary.StandupKind;
import io.asyncwatch.run.StreamsRunner;
import io.asyncwatch.standup.StandupCommand;
import io.asyncwatch.standup.StandupFormat;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The {@code asyncwatch} command line. Exit codes: 0 ok, 1 failure while running, 2 bad usage or configuration. */
public final class Main {

    static final String USAGE = """
            usage: asyncwatch <command> [options]

              demo [--keep-running] [--data-dir DIR]
                  Start a real single-node Kafka broker in-process, the asyncwatch topology and a traffic generator
                  (75 minutes of requests, heartbeats and clock readings in event time, with duplicate writes and
                  a retry storm); print alerts as they arrive. Exits by itself once every incident has fired and
                  resolved; --keep-running waits for Ctrl-C.
              run --config FILE [--create-topics]
                  Run against an existing cluster. Kafka client / Streams properties in FILE pass through;
                  environment variables override (ASYNCWATCH_* for asyncwatch.*, KAFKA_* for Kafka properties).
              replay RECORDING.jsonl [--config FILE] [--out FILE]
                  Run a recorded incident offline (no broker) through the same topology; alerts as JSON Lines to
                  stdout or FILE. The recording's record timestamps are the wall clock, and its end is silence.
                  Deterministic: the same recording gives byte-identical output.
              report RECORDING.jsonl --out FILE.html [--config FILE]
                  The post-mortem of a recorded incident: replays it and writes one self-contained HTML page
                  (opens offline) with the standup summary of the span, the timeline of alerts with their
                  evidence and playbooks, and the seeds' plots around the alerts' windows.
              dashboard --config FILE [--address HOST:PORT]
                  Serve the dashboard (the seeds' panels, the standup, the alerts, updating live) and /metrics
                  on its own, reading asyncwatch's topics on a cluster where 'run' is running elsewhere.
              record --config FILE --out FILE [--from T] [--to T] [--topics requests,heartbeats,clocks]
                  Read the input topics of a cluster into a recording for replay (JSON Lines; committed records,
                  payloads byte for byte, undecodable ones included), partitions merged by record timestamp.
                  T: an ISO instant (2026-12-07T03:00:00Z), epoch ms, 'last 30m' (--from), 'now', 'earliest',
                  'latest', or offset:requests-0=120,requests-1=98 (--to includes that offset). Default: earliest
                  to latest. The end is fixed when recording starts. Progress on stderr.
              standup [--config FILE | --recording FILE] [--kind daily|rolling] [--format text|json|markdown]
                  Print the latest standup summary (the seeds' morning async health check: clock skew, timeout-
                  retry loops, concurrent writes, causality violations, alerts fired), read from the cluster's
                  asyncwatch.standup topic, or computed by replaying a recording (a rolling summary every 10 minutes
                  of event time; the first one that covers the whole recording is printed). text: the seeds' boxes; markdown and json for chat
                  bots. Exits 1 when there is no summary yet.
              generate --out FILE [--minutes N] [--scale N] [--seed N] [--start EPOCH_MS]
                  Write a synthetic recording (the demo's requests, heartbeats and clock readings, with its
                  duplicate writes and retry storm) for replay and benchmarks.
              bench [--events N] [--rounds R] [--entities E] [--dashboard]
                  Measure events/s through the topology on the embedded broker, next to a pass-through
                  application over the same N events (all three input topics). Both run R times (default 2)
                  in turn over the same input: the first round includes the JVM's warm-up (JIT compilation
                  takes a large share of both cores for the first minute), later rounds show steady state.
                  --entities E: E of the N events write E distinct entities within one minute (the
                  concurrent-write detector's state at its largest); the report gives the state directory
                  and the peak RSS. --dashboard: the dashboard runs beside asyncwatch, a page and Prometheus
                  asking it every second; says the heap it holds.
              broker [--data-dir DIR] [--port N]
                  Run the embedded single-node Kafka broker on its own (for 'run' without Docker); prints
                  bootstrap.servers=HOST:PORT when ready, stops on Ctrl-C. DIR keeps its topics between starts
                  (default: a temp directory, deleted on exit); --port fixes the client port (default: a free one).
              crash-suite [--recording FILE | --scale N] [--kills N] [--seed N] [--scenarios clean,kills,broker,pair]
                          [--config FILE] [--work-dir DIR] [--overload-minutes M] [--rate N] [--no-verify]
                  Prove exactly-once and recovery from outside: a broker in its own process, 'run' in others,
                  SIGKILLed N times at random points (restarted on old and fresh state), a broker restart, two
                  instances with one killed. Each scenario's alerts (read_committed) must equal replay's, each
                  once. Prints recovery time per kill; exits 1 on any difference. Default recording: the demo's
                  traffic at --scale 3 (469,961 records).
                  Scenario 'overload' (only when named): M minutes (default 10) of input at N events/s (default
                  twice the clean scenario's rate) while 'run' works; peak heap and RSS, catch-up time, and its
                  alerts compared with a replay of the same events (--no-verify skips that replay, which takes
                  longer than the run: memory and catch-up only).
              describe
                  Print the topology (sources, processors, stores, internal topics).
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        Args a = new Args(Arrays.asList(args).subList(1, args.length));
        try {
            return switch (args[0]) {
                case "demo" -> Demo.run(a.config(), a.flag("--keep-running"), a.path("--data-dir"), out, err);
                case "run" -> StreamsRunner.run(a.requiredConfig(), a.flag("--create-topics"), err);
                case "replay" -> replay(a, out, err);
                case "generate" -> generate(a, err);
                case "standup" -> standup(a, out, err);
                case "record" -> record(a, err);
                case "report" -> report(a, err);
                case "dashboard" -> dashboard(a, err);
                case "bench" -> Benchmark.run(a.config(), a.longOption("--events", 1_000_000),
                        (int) a.longOption("--rounds", 2), (int) a.longOption("--entities", 0),
                        a.flag("--dashboard"), out, err);
                case "crash-suite" -> CrashSuite.run(new CrashSuite.Options(a.path("--recording"),
                        (int) a.longOption("--scale", 3), a.path("--config"),
                        (int) a.longOption("--kills", 5), a.longOption("--seed", 1), a.path("--work-dir"),
                        a.option("--scenarios") == null ? CrashSuite.SCENARIOS
                                : List.of(a.option("--scenarios").split(",")),
                        a.doubleOption("--overload-minutes", 10), a.longOption("--rate", 0),
                        !a.flag("--no-verify")), out, err);
                case "broker" -> BrokerCommand.run(a.config(), a.path("--data-dir"), port(a), out, err);
                case "describe" -> {
                    out.println(AsyncwatchTopology.build(a.config()).describe());
                    yield 0;
                }
                default -> throw new UsageException("unknown command '" + args[0] + "'");
            };
        } catch (UsageException | IllegalArgumentException e) {
            err.println("asyncwatch: " + e.getMessage());
            err.println("run 'asyncwatch help' for usage");
            return 2;
        } catch (Exception e) {
            err.println("asyncwatch: " + args[0] + " failed: " + e);
            return 1;
        }
    }

    private static int replay(Args a, PrintStream out, PrintStream err) throws IOException {
        Path input = a.positional("RECORDING.jsonl");
        if (!Files.isReadable(input)) {
            throw new UsageException("cannot read recording " + input);
        }
        Path outFile = a.path("--out");
        AsyncwatchConfig config = a.config();
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             Writer w = outFile != null ? Files.newBufferedWriter(outFile, StandardCharsets.UTF_8)
                     : new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
            long started = System.nanoTime();
            Replayer.Summary s = Replayer.replay(config, in, w);
            err.printf("replayed %d records from %s in %.1f s: %d alerts, %d dead letters%n", s.records(), input,
                    (System.nanoTime() - started) / 1e9, s.alerts(), s.deadLetters());
            s.deadLetterReasons().forEach((reason, n) -> err.printf("  dead letters: %d x %s%n", n, reason));
            s.skippedLines().forEach(line -> err.println("  skipped " + line));
        }
        return 0;
    }

    private static int dashboard(Args a, PrintStream err) throws IOException, InterruptedException {
        AsyncwatchConfig config = a.requiredConfig();
        try (io.asyncwatch.dashboard.Dashboard d = io.asyncwatch.dashboard.Dashboard.start(config, null,
                a.option("--address"))) {
            err.println("asyncwatch: dashboard at " + d.url() + " (Prometheus: " + d.url() + "metrics); Ctrl-C stops");
            java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "asyncwatch-dashboard-stop"));
            stop.await();
        }
        return 0;
    }

    private static int report(Args a, PrintStream err) throws IOException {
        Path input = a.positional("RECORDING.jsonl");
        if (!Files.isReadable(input)) {
            throw new UsageException("cannot read recording " + input);
        }
        Path outFile = a.path("--out");
        if (outFile == null) {
            throw new UsageException("report needs --out FILE.html");
        }
        return ReportCommand.run(a.config(), input, outFile, err);
    }

    private static int record(Args a, PrintStream err) throws IOException {
        Path outFile = a.path("--out");
        if (outFile == null) {
            throw new UsageException("record needs --out FILE");
        }
        AsyncwatchConfig config = a.requiredConfig();
        java.time.Clock now = java.time.Clock.systemUTC();
        Recorder.Bound from = Recorder.parse(a.option("--from") == null ? "earliest" : a.option("--from"), true, now);
        Recorder.Bound to = Recorder.parse(a.option("--to") == null ? "latest" : a.option("--to"), false, now);
        List<String> topics = a.option("--topics") == null ? List.of("requests", "heartbeats", "clocks")
                : Arrays.stream(a.option("--topics").split(",")).map(String::trim).toList();
        long started = System.nanoTime();
        Recorder.Result r;
        try (Writer w = Files.newBufferedWriter(outFile, StandardCharsets.UTF_8)) {
            r = Recorder.record(config, topics, from, to, w, err);
        }
        err.printf("recorded %,d records %s to %s in %.1f s%s%n", r.records(), r.byTopic(), outFile,
                (System.nanoTime() - started) / 1e9, r.records() == 0 ? "" : " (record times "
                        + java.time.Instant.ofEpochMilli(r.firstTime()) + " to "
                        + java.time.Instant.ofEpochMilli(r.lastTime()) + ")");
        return 0;
    }

    private static int standup(Args a, PrintStream out, PrintStream err) throws IOException {
        Path recording = a.path("--recording");
        if (recording != null && !Files.isReadable(recording)) {
            throw new UsageException("cannot read recording " + recording);
        }
        if (recording == null && a.path("--config") == null
                && !System.getenv().containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
            throw new UsageException("standup needs --config FILE (a cluster) or --recording FILE");
        }
        String kind = a.option("--kind");
        StandupKind k = kind == null ? null : switch (kind) {
            case "daily" -> StandupKind.DAILY;
            case "rolling" -> StandupKind.ROLLING;
            default -> throw new UsageException("--kind is daily or rolling, got '" + kind + "'");
        };
        String format = a.option("--format");
        StandupFormat.Style style = format == null ? StandupFormat.Style.TEXT : switch (format) {
            case "text" -> StandupFormat.Style.TEXT;
            case "json" -> StandupFormat.Style.JSON;
            case "markdown", "md" -> StandupFormat.Style.MARKDOWN;
            default -> throw new UsageException("--format is text, json or markdown, got '" + format + "'");
        };
        return StandupCommand.run(a.config(), recording, k, style, out, err);
    }

    private static int port(Args a) {
        long port = a.longOption("--port", 0);
        if (port < 0 || port > 65_535) {
            throw new UsageException("--port must be between 0 and 65535, got " + port);
        }
        return (int) port;
    }

    private static int generate(Args a, PrintStream err) throws IOException {
        Path outFile = a.path("--out");
        if (outFile == null) {
            throw new UsageException("generate needs --out FILE");
        }
        long start = a.longOption("--start", 1_767_225_600_000L); // 2026-01-01T00:00:00Z
        int minutes = (int) a.longOption("--minutes", 75);
        int scale = (int) a.longOption("--scale", 1);
        long seed = a.longOption("--seed", 42);
        TrafficGenerator.Plan plan = TrafficGenerator.demoPlan(start, minutes, scale, seed);
        long n = TrafficGenerator.writeRecording(plan, outFile);
        err.printf("wrote %d records (%d minutes, scale %d, seed %d) to %s%n", n, minutes, scale, seed, outFile);
        return 0;
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Minimal option parsing: {@code --name value}, {@code --flag}, and positionals. */
    static final class Args {
        private final List<String> args;

        Args(List<String> args) {
            this.args = args;
        }

        boolean flag(String name) {
            return args.contains(name);
        }

        String option(String name) {
            int i = args.indexOf(name);
            if (i < 0) {
                return null;
            }
            if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
                throw new UsageException(name + " needs a value");
            }
            return args.get(i + 1);
        }

        Path path(String name) {
            String v = option(name);
            return v == null ? null : Path.of(v);
        }

        long longOption(String name, long dflt) {
            String v = option(name);
            if (v == null) {
                return dflt;
            }
            try {
                return Long.parseLong(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new UsageException(name + " expects a whole number, got '" + v + "'");
            }
        }

        double doubleOption(String name, double dflt) {
            String v = option(name);
            if (v == null) {
                return dflt;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException(name + " expects a number, got '" + v + "'");
            }
        }

        Path positional(String what) {
            for (int i = 0; i < args.size(); i++) {
                String s = args.get(i);
                if (s.startsWith("--")) {
                    if (!s.equals("--keep-running") && !s.equals("--create-topics") && !s.equals("--no-verify")) {
                        i++;
                    }
                    continue;
                }
                return Path.of(s);
            }
            throw new UsageException("missing " + what);
        }

        AsyncwatchConfig config() {
            return AsyncwatchConfig.load(path("--config"), System.getenv());
        }

        AsyncwatchConfig requiredConfig() {
            if (path("--config") == null && !System.getenv().containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
                throw new UsageException("this command needs --config FILE (with bootstrap.servers) or"
                        + " KAFKA_BOOTSTRAP_SERVERS");
            }
            return config();
        }
    }
}
