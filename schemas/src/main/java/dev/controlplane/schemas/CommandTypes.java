package dev.controlplane.schemas;

/** Wire names of commands: {@code <kind>.<verb>}, the verbs below. */
public final class CommandTypes {
    public static final String CREATE = "create";
    public static final String UPDATE = "update";
    public static final String PATCH = "patch";
    /** One item of a single-document kind's item list; the payload is {@code {"item": name, "value": {…}}}. */
    public static final String ADD_ITEM = "add_item";
    public static final String PATCH_ITEM = "patch_item";
    public static final String REMOVE_ITEM = "remove_item";

    private CommandTypes() {
    }

    public static String of(String kind, String verb) {
        return kind + "." + verb;
    }

    public static String verb(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
