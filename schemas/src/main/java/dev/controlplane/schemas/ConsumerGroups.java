package dev.controlplane.schemas;

import java.util.Map;

/** The consumer groups that read the log, by what they feed; operators watch their lag. */
public final class ConsumerGroups {

    /** The single writer: Kafka Streams' application id, reading {@link Topics#COMMANDS}. */
    public static final String PROCESSOR = "admin-processor";
    /** query-service's read model projector, reading {@link Topics#EVENTS}. */
    public static final String READ_MODEL = "query-service";
    /** The audit store's projector, reading {@link Topics#EVENTS}. */
    public static final String AUDIT = "audit-projector";

    /** The audit store's projector of failed and denied calls, reading {@link Topics#SECURITY_EVENTS}. */
    public static final String SECURITY_AUDIT = "audit-projector-security";

    /** The webhook dispatcher, reading {@link Topics#EVENTS}. */
    public static final String WEBHOOKS = "webhook-dispatcher";

    /** Each group and the topic it reads. */
    public static final Map<String, String> TOPICS = Map.of(
            PROCESSOR, Topics.COMMANDS,
            READ_MODEL, Topics.EVENTS,
            AUDIT, Topics.EVENTS,
            SECURITY_AUDIT, Topics.SECURITY_EVENTS,
            WEBHOOKS, Topics.EVENTS);

    private ConsumerGroups() {
    }
}
