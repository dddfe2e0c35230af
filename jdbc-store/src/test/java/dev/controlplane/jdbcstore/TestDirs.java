package dev.controlplane.jdbcstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Temporary directories for tests' data, deleted when the test JVM exits, so that runs leave nothing behind. */
public final class TestDirs {

    private TestDirs() {
    }

    public static Path create(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            // At exit, not per test: a store or a broker may be shared by a class's tests, or still closing.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            // What a process still writing recreated is left; the next temp-dir cleaning takes it.
        }
    }
}
