package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.AuthSettings;
import dev.controlplane.httpsupport.HttpSupportConfiguration;
import dev.controlplane.kafkasupport.KafkaSettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.authentication.AuthenticationManagerResolver;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.SecurityContextHolderFilter;

/**
 * Authentication and authorization for every HTTP service, in one place: Spring Security's resource server reads
 * the bearer token; {@link BearerAuthentication} tells the API's own tokens, the bootstrap and metrics tokens and
 * JWTs apart; {@link RouteAuthorization} applies the route rules of {@code AccessRules}. A JWT issuer is configured
 * with Spring Boot's own properties ({@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri},
 * {@code issuer-uri}, {@code audiences}), whose decoder checks the signature, {@code iss}, {@code aud}, {@code exp}
 * and {@code nbf}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AccessSettings.class)
@Import({HttpSupportConfiguration.class, WhoamiController.class})
public class AccessControlConfiguration {

    /**
     * No observation per security filter: they cost about a third of the CPU of a request here (JFR of wrk on
     * {@code /health}); {@code http.server.requests} still times every request by route and status.
     */
    @Bean
    SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    CallerDirectory callerDirectory(KafkaSettings kafka) {
        return new CallerDirectory(kafka);
    }

    @Bean
    AccessChecks accessChecks(CallerDirectory directory, SecurityEvents events) {
        return new AccessChecks(directory, events);
    }

    @Bean
    BearerAuthentication bearerAuthentication(CallerDirectory directory, AuthSettings auth,
                                              @Value("${admin.metrics-token:}") String metricsToken,
                                              ObjectProvider<JwtDecoder> jwtDecoder) {
        return new BearerAuthentication(directory, auth, metricsToken, jwtDecoder.getIfAvailable());
    }

    /** A bean of this type also keeps Spring Boot from creating (and logging the password of) a default user. */
    @Bean
    AuthenticationManagerResolver<HttpServletRequest> bearerAuthenticationResolver(BearerAuthentication authentication) {
        return request -> authentication;
    }

    @Bean
    FailedAuthentications failedAuthentications(AccessSettings settings, CallerDirectory directory) {
        return new FailedAuthentications(() -> {
            Integer configured = directory.limits().maxFailedAuth();
            return configured != null ? configured : settings.maxFailedAuth();
        }, settings.lockout(), settings.forgetAfter(), Clock.systemUTC());
    }

    @Bean
    SecurityEvents securityEvents(KafkaSettings kafka, AccessSettings settings) {
        return new SecurityEvents(kafka, settings.securityEventWindow(), Clock.systemUTC());
    }

    @Bean
    SecurityFilterChain accessControl(HttpSecurity http, BearerAuthentication authentication,
                                      AuthenticationManagerResolver<HttpServletRequest> resolver, CallerDirectory directory,
                                      FailedAuthentications failures, SecurityEvents events, MeterRegistry meters,
                                      @Value("${admin.allow-remote:true}") boolean allowRemote,
                                      @Value("${admin.metrics-token:}") String metricsToken) throws Exception {
        AccessProblems problems = new AccessProblems(failures, events, meters);
        http.csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .anonymous(anonymous -> anonymous.principal("anonymous"))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .oauth2ResourceServer(server -> server.authenticationManagerResolver(resolver)
                        .authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .exceptionHandling(exceptions -> exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .authorizeHttpRequests(requests -> requests.anyRequest()
                        .access(new RouteAuthorization(metricsToken == null || metricsToken.isBlank())))
                .addFilterBefore(new AccessFilters.Version(), SecurityContextHolderFilter.class)
                .addFilterBefore(new AccessFilters.LoopbackOnly(allowRemote), SecurityContextHolderFilter.class)
                .addFilterBefore(new AccessFilters.Lockout(failures), BearerTokenAuthenticationFilter.class)
                .addFilterAfter(new AccessFilters.Callers(directory), BearerTokenAuthenticationFilter.class);
        if (!authentication.enabled()) {
            http.addFilterBefore(new AccessFilters.Disabled(), BearerTokenAuthenticationFilter.class);
        }
        return http.build();
    }
}
