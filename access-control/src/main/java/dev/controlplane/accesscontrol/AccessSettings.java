package dev.controlplane.accesscontrol;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits on who may call, and how often.
 *
 * @param maxFailedAuth        failed authentications from one address before it is refused (the configuration's
 *                             {@code rate_limits.max_failed_auth} overrides it)
 * @param lockout              how long such an address is refused (429 with Retry-After)
 * @param forgetAfter          an address idle this long is forgotten, failures and all
 * @param securityEventWindow  failed and denied calls are audited once per address, identity and window, with a count
 */
@ConfigurationProperties("admin.access")
public record AccessSettings(
        @DefaultValue("5") int maxFailedAuth,
        @DefaultValue("30m") Duration lockout,
        @DefaultValue("2h") Duration forgetAfter,
        @DefaultValue("1m") Duration securityEventWindow) {
}
