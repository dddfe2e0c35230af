package dev.controlplane.commandservice.gateway;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the command gateway.
 *
 * @param replyTimeout how long a write waits for its decision before answering 202 with a status URL
 * @param resultMemory how many recent results are kept for {@code GET /api/v1/commands/{id}}
 * @param lookback     how far back the result log is read at start, so results decided just before a restart
 *                     can still be looked up
 */
@ConfigurationProperties("admin.commands")
public record GatewaySettings(
        @DefaultValue("5s") Duration replyTimeout,
        @DefaultValue("100000") int resultMemory,
        @DefaultValue("15m") Duration lookback) {
}
