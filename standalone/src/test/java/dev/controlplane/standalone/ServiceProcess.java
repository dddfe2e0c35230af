package dev.controlplane.standalone;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One process of a deployment (a service's executable jar, or a Kafka node), started with its configuration in the
 * environment as an operator would: killed (SIGKILL), stopped (SIGTERM), paused (SIGSTOP) and resumed (SIGCONT).
 */
final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private final Integer port;
    private volatile Process process;
    /** Every process any test started: killed when the test JVM ends, however it ends short of SIGKILL. */
    private static final java.util.Set<Process> ALL = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ALL.forEach(Process::destroyForcibly)));
    }

    private ServiceProcess(String name, List<String> command, Map<String, String> environment, Path logFile, Integer port) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.logFile = logFile;
        this.port = port;
    }

    /** A service's executable jar ({@code <module>/target/<module>-*-exec.jar}) on {@code port}. */
    static ServiceProcess jar(String name, String module, int port, Map<String, String> environment, Path logDir) {
        Path jar = Path.of("..", module, "target", module + "-0.1.0-SNAPSHOT-exec.jar").toAbsolutePath().normalize();
        List<String> command = java("-Xmx320m");
        command.addAll(List.of("-jar", jar.toString()));
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("SERVER_PORT", String.valueOf(port));
        return new ServiceProcess(name, command, env, logDir.resolve(name + ".log"), port);
    }

    /** A service's executable jar run as a task ({@code java -jar … <args>}) that ends by itself, on no port. */
    static ServiceProcess task(String name, String module, List<String> args, Map<String, String> environment, Path logDir) {
        Path jar = Path.of("..", module, "target", module + "-0.1.0-SNAPSHOT-exec.jar").toAbsolutePath().normalize();
        List<String> command = java("-Xmx320m");
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(args);
        return new ServiceProcess(name, command, environment, logDir.resolve(name + ".log"), null);
    }

    /** Waits for a task to end; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still running after " + timeout + "; see " + logFile);
        }
        return process.exitValue();
    }

    /** A main class from this test's classpath, with arguments. */
    static ServiceProcess main(String name, String mainClass, List<String> args, Path logDir) {
        List<String> command = java("-Xmx512m");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return new ServiceProcess(name, command, Map.of(), logDir.resolve(name + ".log"), null);
    }

    private static List<String> java(String heap) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        if (Runtime.version().feature() >= 23) {
            // Only JDK 23+ knows this flag (and warns without it); a JDK 21 refuses to start with it.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        return command;
    }

    /** What the process printed so far. */
    String log() throws IOException {
        return java.nio.file.Files.readString(logFile);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    ServiceProcess start() {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("ADMIN_"));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
            ALL.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Waits until {@code /health/readiness} answers 200. */
    ServiceProcess awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create(base() + "/health/readiness");
        await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .failFast(name + " exited; see " + logFile, () -> !alive())
                .until(() -> http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return this;
    }

    /** SIGKILL: no shutdown hook, no flush, as a power cut or the OOM killer would end it. */
    void kill() throws InterruptedException {
        Process running = process;
        if (running != null && running.isAlive()) {
            running.destroyForcibly();
            running.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM: a graceful stop; true when it ended within a minute. */
    boolean stop() throws InterruptedException {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return true;
        }
        running.destroy();
        return running.waitFor(60, TimeUnit.SECONDS);
    }

    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            try {
                resume();
            } catch (IOException e) {
                // it is killed next anyway
            }
            kill();
        }
    }
}
