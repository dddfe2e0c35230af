package dev.controlplane.accesscontrol;

import dev.controlplane.httpsupport.CallerIdentity;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** An authenticated caller as Spring Security holds it; its authorities are its scopes. Never holds the secret. */
final class CallerAuthentication extends AbstractAuthenticationToken {

    private final CallerIdentity caller;

    CallerAuthentication(CallerIdentity caller) {
        super(caller.scopes().stream().map(SimpleGrantedAuthority::new).toList());
        this.caller = caller;
        setAuthenticated(true);
    }

    CallerIdentity caller() {
        return caller;
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public Object getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller.identity();
    }
}
