package dev.controlplane.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** This system's name and version, as the build stamped them. */
public final class Product {

    public static final String NAME = "admin-control-plane";

    private static final String VERSION = load();

    private Product() {
    }

    public static String version() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Product.class.getResourceAsStream("product.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
