package dev.ragline.app.security;

import dev.ragline.core.Tenant;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Gives a JWT caller the tenant its token names in the claim {@code ragline.auth.jwt.tenant-claim}. A token without
 * a valid one keeps no tenant, and every tenant-scoped endpoint answers it 403.
 */
@ApplicationScoped
public class JwtTenantAugmentor implements SecurityIdentityAugmentor {
    @Inject AccessControl access;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!(identity.getPrincipal() instanceof JsonWebToken token) || identity.getAttribute(AccessControl.TENANT_ATTRIBUTE) != null)
            return Uni.createFrom().item(identity);
        Object claim = token.getClaim(access.jwtTenantClaim());
        String name = claim instanceof jakarta.json.JsonString json ? json.getString() : claim == null ? null : claim.toString();
        try {
            Tenant tenant = new Tenant(name);
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity)
                    .addAttribute(AccessControl.TENANT_ATTRIBUTE, tenant).build());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(identity);
        }
    }
}
