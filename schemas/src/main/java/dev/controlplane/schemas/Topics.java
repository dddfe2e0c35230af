package dev.controlplane.schemas;

/** Names of the topics that make up the log; partition counts are configuration, never constants. */
public final class Topics {
    public static final String COMMANDS = "admin.commands";
    /**
     * Commands sent with an {@code Idempotency-Key}, keyed by that key: the processor claims each key for its first
     * resource and request before the command goes on to {@link #COMMANDS}, so a key reused elsewhere is refused.
     */
    public static final String IDEMPOTENT_COMMANDS = "admin.idempotent-commands";
    public static final String EVENTS = "admin.events";
    public static final String COMMAND_RESULTS = "admin.command-results";
    /** Failed authentications and denied calls, aggregated per address and window, for the audit trail. */
    public static final String SECURITY_EVENTS = "admin.security-events";

    private Topics() {
    }
}
