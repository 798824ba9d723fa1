package dev.ragline.app.security;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.core.Tenant;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Who the service lets in. With API keys in the key file, or JWTs enabled, every request needs credentials. With
 * neither, the service is in the open development mode: every caller acts as {@link Tenant#DEFAULT} with every
 * role, and only while the HTTP server is bound to a loopback address; the service refuses to start bound to any
 * other interface without credentials configured.
 */
@ApplicationScoped
public class AccessControl {
    private static final Logger LOG = Logger.getLogger(AccessControl.class);
    /** The {@link SecurityIdentity} attribute holding the caller's {@link Tenant}. */
    public static final String TENANT_ATTRIBUTE = "ragline.tenant";

    private final ApiKeyStore keys;
    private final boolean jwtEnabled;
    private final String jwtTenantClaim;
    private final String host;
    private final boolean loopback;

    @Inject
    public AccessControl(RaglineConfig config) {
        this.keys = ApiKeyStore.open(config.auth().keysFile().orElse(config.dataDir().resolve("api-keys.json")));
        this.jwtEnabled = config.auth().jwt().enabled();
        this.jwtTenantClaim = config.auth().jwt().tenantClaim();
        boolean test = LaunchMode.current() == LaunchMode.TEST;
        this.host = ConfigProvider.getConfig().getOptionalValue(test ? "quarkus.http.test-host" : "quarkus.http.host", String.class)
                .orElse(test ? "localhost" : "0.0.0.0");
        this.loopback = isLoopback(host);
    }

    private static final SecurityIdentity developmentIdentity = QuarkusSecurityIdentity.builder()
            .setPrincipal(new QuarkusPrincipal("development"))
            .addRoles(java.util.Set.copyOf(Arrays.stream(ApiKeyStore.Role.values()).map(ApiKeyStore.Role::wireName).toList()))
            .addAttribute(TENANT_ATTRIBUTE, Tenant.DEFAULT).build();

    /** Refuses to start on a non-loopback interface without credentials; says which mode it runs in. */
    void checkOnStart(@Observes @Priority(1) StartupEvent start) {
        if (!credentialsConfigured() && !loopback) {
            throw new IllegalStateException("refusing to listen on " + host + " without authentication: create an API key "
                    + "(bin/keys create --tenant NAME --roles ingest,query,admin --file " + keys.file() + "), enable JWTs "
                    + "(ragline.auth.jwt.enabled), or bind to 127.0.0.1 (quarkus.http.host) for the open development mode");
        }
        if (openMode()) {
            LOG.warnf("OPEN DEVELOPMENT MODE: no API keys in %s and JWTs off, so every caller on %s acts as tenant '%s' "
                    + "with every role; create a key with bin/keys to require authentication", keys.file(), host, Tenant.DEFAULT);
        } else {
            LOG.infof("authentication required: API keys from %s%s", keys.file(), jwtEnabled ? ", and JWT bearer tokens" : "");
        }
    }

    public ApiKeyStore keys() {
        return keys;
    }

    public String jwtTenantClaim() {
        return jwtTenantClaim;
    }

    /** True when no credentials are configured and the server listens on loopback only. */
    public boolean openMode() {
        return loopback && !credentialsConfigured();
    }

    private boolean credentialsConfigured() {
        return jwtEnabled || !keys.isEmpty();
    }

    /** The identity of every caller in the open development mode. */
    SecurityIdentity developmentIdentity() {
        return developmentIdentity;
    }

    /** The caller's tenant; 403 when its credentials name none (a JWT without the tenant claim). */
    public static Tenant tenantOf(SecurityIdentity identity) {
        Tenant tenant = identity.getAttribute(TENANT_ATTRIBUTE);
        if (tenant == null) throw new ForbiddenException("the credentials name no tenant");
        return tenant;
    }

    static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) if (!address.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
