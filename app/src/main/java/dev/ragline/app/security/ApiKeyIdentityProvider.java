package dev.ragline.app.security;

import dev.ragline.core.Tenant;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/** Turns a valid, unrevoked API key into an identity: principal {@code key:<id>}, its roles and its tenant. */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationMechanism.ApiKeyRequest> {
    @Inject AccessControl access;

    @Override
    public Class<ApiKeyAuthenticationMechanism.ApiKeyRequest> getRequestType() {
        return ApiKeyAuthenticationMechanism.ApiKeyRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationMechanism.ApiKeyRequest request,
                                              AuthenticationRequestContext context) {
        // Off the event loop: the key file is stat-ed (at most once a second) and re-read when it changed.
        return context.runBlocking(() -> {
            var key = access.keys().verify(request.key())
                    .orElseThrow(() -> new AuthenticationFailedException("the API key is not valid or was revoked"));
            return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("key:" + key.id()))
                    .addRoles(Set.copyOf(key.roles()))
                    .addAttribute(AccessControl.TENANT_ATTRIBUTE, new Tenant(key.tenant())).build();
        });
    }
}
