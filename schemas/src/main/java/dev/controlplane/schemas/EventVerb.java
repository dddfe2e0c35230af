package dev.controlplane.schemas;

/** What can happen to a resource; each constant fixes the wire suffix of its event type and its audit verb. */
public enum EventVerb {
    CREATED("created", "create"),
    UPDATED("updated", "update"),
    DEACTIVATED("deactivated", "deactivate"),
    REACTIVATED("reactivated", "reactivate");

    private final String wireSuffix;
    private final String action;

    EventVerb(String wireSuffix, String action) {
        this.wireSuffix = wireSuffix;
        this.action = action;
    }

    public String eventType(String kind) {
        return kind + "." + wireSuffix;
    }

    public String action() {
        return action;
    }

    public static EventVerb fromType(String type) {
        String suffix = type.substring(type.lastIndexOf('.') + 1);
        for (EventVerb verb : values()) {
            if (verb.wireSuffix.equals(suffix)) {
                return verb;
            }
        }
        throw new IllegalArgumentException("unknown event type: " + type);
    }
}
