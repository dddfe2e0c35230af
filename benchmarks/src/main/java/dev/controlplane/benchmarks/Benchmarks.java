package dev.controlplane.benchmarks;

import java.time.Duration;

/**
 * {@code ./dev bench [writers] [seconds] [--property=value …]}, {@code ./dev bench restore [resources]} or
 * {@code ./dev bench webhooks [events] [subscriptions]} or {@code ./dev bench reads [connections] [seconds]} or
 * {@code ./dev bench audit [records]} or {@code ./dev bench curve [seconds] [--property=value …]} (the external write
 * curve alone).
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        // Kafka's clients and broker log every step at INFO; the figures are what this program is for.
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
            // The baselines' clients warn of every leader not yet elected on their new topics, and retry.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.kafka")).setLevel(ch.qos.logback.classic.Level.ERROR);
        }
        if (args.length > 0 && args[0].equals("restore")) {
            RestoreBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
        } else if (args.length > 0 && args[0].equals("reads")) {
            ReadBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 32, args.length > 2 ? Integer.parseInt(args[2]) : 10);
        } else if (args.length > 0 && args[0].equals("audit")) {
            AuditBenchmark.run(args.length > 1 ? Long.parseLong(args[1].replace("_", "")) : 10_000_000L);
        } else if (args.length > 0 && args[0].equals("curve")) {
            // The external write curve alone, e.g. to compare settings: ./dev bench curve 10 --admin.processor.…=…
            boolean seconds = args.length > 1 && !args[1].startsWith("--");
            Duration measure = Duration.ofSeconds(seconds ? Long.parseLong(args[1]) : 10);
            WriteCurve.print(WriteCurve.run(measure, java.util.Arrays.copyOfRange(args, seconds ? 2 : 1, args.length)),
                    WriteCurve.today(), java.util.List.of());
        } else if (args.length > 0 && args[0].equals("receiver")) {
            WebhookReceiver.serve();
        } else if (args.length > 0 && args[0].equals("webhooks")) {
            WebhookBenchmark.run(args.length > 1 ? Integer.parseInt(args[1]) : 1_000, args.length > 2 ? Integer.parseInt(args[2]) : 10);
        } else {
            WriteBenchmark.main(args);
        }
    }
}
