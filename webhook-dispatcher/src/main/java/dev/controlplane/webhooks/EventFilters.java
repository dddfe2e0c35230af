package dev.controlplane.webhooks;

/** Whether an event type ({@code tenant.created}) matches a subscription's filter ({@code tenant.*}, {@code *.created}, {@code *}). */
final class EventFilters {

    private EventFilters() {
    }

    static boolean matches(String filter, String eventType) {
        if (filter.equals("*") || filter.equals(eventType)) {
            return true;
        }
        int dot = filter.indexOf('.');
        int typeDot = eventType.lastIndexOf('.');
        if (dot < 0 || typeDot < 0) {
            return false;
        }
        String kind = filter.substring(0, dot);
        String verb = filter.substring(dot + 1);
        return (kind.equals("*") || kind.equals(eventType.substring(0, typeDot)))
                && (verb.equals("*") || verb.equals(eventType.substring(typeDot + 1)));
    }
}
