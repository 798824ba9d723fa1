package dev.ragline.app;

import dev.ragline.app.security.ApiKeyStore;
import dev.ragline.core.Tenant;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Properties;

/**
 * The service with authentication on: a key file holding one admin key, and JWT bearer tokens verified with a
 * public key this profile generates (no identity server). What the tests need to call it (the admin key, the
 * key file, the JWT signing key) is written to {@link #CREDENTIALS}, since the profile and the tests may not share
 * a class loader.
 */
public class SecuredPlatformProfile implements QuarkusTestProfile {
    static final Path CREDENTIALS = Path.of("target/secured-profile.properties");
    static final String ISSUER = "https://issuer.ragline.test";
    private static final String DIR_PROPERTY = "secured-profile-test.dir";

    @Override
    public Map<String, String> getConfigOverrides() {
        try {
            // Quarkus asks a profile for its configuration more than once; a system property (one per JVM, whatever
            // the class loader) keeps every answer pointing at the same keys.
            String made = System.getProperty(DIR_PROPERTY);
            if (made != null) return config(Path.of(made));
            Path dir = Files.createTempDirectory("ragline-secured-test-");
            Path keysFile = dir.resolve("api-keys.json");
            var admin = ApiKeyStore.open(keysFile).create(new Tenant("ops"), EnumSet.of(ApiKeyStore.Role.ADMIN), "test admin");
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Path publicKey = dir.resolve("jwt-public.pem");
            Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
            Properties credentials = new Properties();
            credentials.setProperty("admin-key", admin.key());
            credentials.setProperty("keys-file", keysFile.toString());
            credentials.setProperty("jwt-private-key", Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
            Files.createDirectories(CREDENTIALS.getParent());
            try (var out = Files.newBufferedWriter(CREDENTIALS)) {
                credentials.store(out, "written by SecuredPlatformProfile");
            }
            System.setProperty(DIR_PROPERTY, dir.toString());
            return config(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> config(Path dir) {
        return Map.of("ragline.data-dir", dir.toString(),
                "ragline.sample-corpus.publish", "true",
                "ragline.auth.keys-file", dir.resolve("api-keys.json").toString(),
                "ragline.auth.jwt.enabled", "true",
                "mp.jwt.verify.publickey.location", dir.resolve("jwt-public.pem").toUri().toString(),
                "mp.jwt.verify.issuer", ISSUER,
                "ragline.evaluation.reports-dir", "../evaluation/src/test/resources/reports");
    }
}
