package dev.ragline.app.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer rgl_…} API keys. Other bearer tokens are left to the JWT mechanism, which runs
 * after this one. Without any credentials the caller is anonymous, except in the open development mode.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** An API key presented by a caller. */
    public static final class ApiKeyRequest extends BaseAuthenticationRequest {
        private final String key;

        ApiKeyRequest(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    @Inject AccessControl access;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) return access.openMode() ? Uni.createFrom().item(access.developmentIdentity()) : Uni.createFrom().nullItem();
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) return Uni.createFrom().nullItem();
        String token = header.substring(7).strip();
        if (!token.startsWith(ApiKeyStore.PREFIX)) return Uni.createFrom().nullItem();
        return identities.authenticate(new ApiKeyRequest(token));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"ragline\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class);
    }

    /** Before the JWT mechanism, which would reject an API key as a malformed token. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }
}
