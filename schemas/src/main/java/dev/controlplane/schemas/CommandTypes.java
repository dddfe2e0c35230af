package dev.controlplane.schemas;

/** Wire names of commands: {@code <kind>.create}, {@code <kind>.update} and {@code <kind>.patch}. */
public final class CommandTypes {
    public static final String CREATE = "create";
    public static final String UPDATE = "update";
    public static final String PATCH = "patch";

    private CommandTypes() {
    }

    public static String of(String kind, String verb) {
        return kind + "." + verb;
    }

    public static String verb(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
