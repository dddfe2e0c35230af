package dev.controlplane.httpsupport;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** {@code /health}, {@code /health/liveness} and {@code /health/readiness} alone: for a service with no API (the audit projector). */
@Configuration(proxyBeanMethods = false)
@Import({ProblemResponses.class, HealthController.class})
public class HealthConfiguration {
}
