package dev.controlplane.schemas;

/** Identifies one resource; {@link #key()} is the Kafka key that keeps its whole history on one partition. */
public record ResourceRef(String kind, String name) {

    public String key() {
        return kind + "/" + name;
    }

    public static ResourceRef fromKey(String key) {
        int slash = key.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("not a resource key: " + key);
        }
        return new ResourceRef(key.substring(0, slash), key.substring(slash + 1));
    }
}
