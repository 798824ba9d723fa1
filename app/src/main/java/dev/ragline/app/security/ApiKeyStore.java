package dev.ragline.app.security;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ragline.core.Tenant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * API keys kept in a JSON file, hashed: the file holds each key's id, SHA-256, tenant, roles and state, never the
 * key itself, which is shown once when created. A key reads {@code rgl_<id>_<secret>}: the id finds the entry, the
 * hash of the whole key must match it. The secret is 256 random bits, so a plain SHA-256 (not a slow password hash)
 * is enough: there is nothing to guess from.
 *
 * <p>The file is the single source of truth. Changes made by another process (the {@code bin/keys} command, another
 * instance) are picked up within {@link #RELOAD_INTERVAL_MILLIS}; changes made through this object are visible at
 * once. Writes go to a temporary file moved over the old one, so a reader never sees half a file.
 */
public final class ApiKeyStore {
    public static final String PREFIX = "rgl_";
    static final long RELOAD_INTERVAL_MILLIS = 1000;

    /** What a key may do. */
    public enum Role {
        /** Publish and delete documents. */
        INGEST,
        /** Search, classify and ask. */
        QUERY,
        /** Evaluation reports, metrics and key management. */
        ADMIN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Role parse(String name) {
            for (Role r : values()) if (r.wireName().equals(name)) return r;
            throw new IllegalArgumentException("unknown role '" + name + "', expected ingest, query or admin");
        }
    }

    /** One key as stored: no secret. {@code revoked} is null while the key works. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ApiKey(String id, String name, String tenant, List<String> roles, Instant created, Instant revoked,
                         String sha256) {
        public boolean active() {
            return revoked == null;
        }

        public Set<Role> roleSet() {
            Set<Role> set = EnumSet.noneOf(Role.class);
            for (String r : roles) set.add(Role.parse(r));
            return set;
        }

        /** The same entry without its hash, for listings. */
        public ApiKey withoutHash() {
            return new ApiKey(id, name, tenant, roles, created, revoked, null);
        }
    }

    /** A newly created key: the entry and the key itself, which is not stored anywhere. */
    public record Issued(ApiKey entry, String key) {
    }

    private record KeyFile(List<ApiKey> keys) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private volatile Map<String, ApiKey> byId = Map.of();
    private FileTime loadedModified;
    private long loadedSize = -1;
    private volatile long checkedAt;

    private ApiKeyStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The keys in {@code file}; none when it does not exist yet. */
    public static ApiKeyStore open(Path file) {
        ApiKeyStore store = new ApiKeyStore(file);
        store.reload();
        return store;
    }

    public Path file() {
        return file;
    }

    /** True when the file holds no key at all, revoked ones included: the open development mode. */
    public boolean isEmpty() {
        reloadIfChanged();
        return byId.isEmpty();
    }

    /** All keys, newest last, without their hashes. */
    public List<ApiKey> list() {
        reloadIfChanged();
        return byId.values().stream().sorted(Comparator.comparing(ApiKey::created)).map(ApiKey::withoutHash).toList();
    }

    /** The active key {@code presented} is, if any. Compares hashes in constant time. */
    public Optional<ApiKey> verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX)) return Optional.empty();
        int separator = presented.indexOf('_', PREFIX.length());
        if (separator < 0) return Optional.empty();
        reloadIfChanged();
        ApiKey entry = byId.get(presented.substring(PREFIX.length(), separator));
        if (entry == null || !entry.active()) return Optional.empty();
        byte[] expected = HexFormat.of().parseHex(entry.sha256());
        return MessageDigest.isEqual(expected, sha256(presented)) ? Optional.of(entry) : Optional.empty();
    }

    /** Creates a key for {@code tenant} with {@code roles}; the returned key is the only copy. */
    public synchronized Issued create(Tenant tenant, Set<Role> roles, String name) {
        if (roles.isEmpty()) throw new IllegalArgumentException("a key needs at least one role");
        reload();
        String id;
        do {
            id = HexFormat.of().formatHex(randomBytes(6));
        } while (byId.containsKey(id));
        String key = PREFIX + id + '_' + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        List<String> roleNames = roles.stream().sorted().map(Role::wireName).toList();
        ApiKey entry = new ApiKey(id, name == null || name.isBlank() ? null : name, tenant.name(), roleNames,
                Instant.now(), null, HexFormat.of().formatHex(sha256(key)));
        Map<String, ApiKey> next = new LinkedHashMap<>(byId);
        next.put(id, entry);
        save(next);
        return new Issued(entry.withoutHash(), key);
    }

    /** Revokes the key with this id. Returns false when there is no such key; revoking twice is a no-op. */
    public synchronized boolean revoke(String id) {
        reload();
        ApiKey entry = byId.get(id);
        if (entry == null) return false;
        if (!entry.active()) return true;
        Map<String, ApiKey> next = new LinkedHashMap<>(byId);
        next.put(id, new ApiKey(entry.id(), entry.name(), entry.tenant(), entry.roles(), entry.created(), Instant.now(),
                entry.sha256()));
        save(next);
        return true;
    }

    private void reloadIfChanged() {
        long now = System.currentTimeMillis();
        if (now - checkedAt < RELOAD_INTERVAL_MILLIS) return;
        synchronized (this) {
            if (now - checkedAt < RELOAD_INTERVAL_MILLIS) return;
            try {
                if (Files.notExists(file) ? loadedSize != -1
                        : !Files.getLastModifiedTime(file).equals(loadedModified) || Files.size(file) != loadedSize)
                    reload();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the API key file " + file, e);
            }
            checkedAt = now;
        }
    }

    private synchronized void reload() {
        try {
            if (Files.notExists(file)) {
                byId = Map.of();
                loadedModified = null;
                loadedSize = -1;
                return;
            }
            FileTime modified = Files.getLastModifiedTime(file);
            byte[] bytes = Files.readAllBytes(file);
            KeyFile parsed = JSON.readValue(bytes, KeyFile.class);
            Map<String, ApiKey> keys = new LinkedHashMap<>();
            for (ApiKey k : parsed.keys() == null ? List.<ApiKey>of() : parsed.keys()) {
                if (k.id() == null || k.sha256() == null || k.tenant() == null || k.roles() == null || k.created() == null)
                    throw new IllegalStateException("API key file " + file + ": an entry lacks id, sha256, tenant, roles or created");
                new Tenant(k.tenant());
                k.roleSet();
                keys.put(k.id(), k);
            }
            byId = Map.copyOf(keys);
            loadedModified = modified;
            loadedSize = bytes.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API key file " + file + ": " + e.getMessage(), e);
        }
    }

    private void save(Map<String, ApiKey> keys) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".api-keys", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            Files.write(tmp, JSON.writeValueAsBytes(new KeyFile(new ArrayList<>(keys.values()))));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the API key file " + file + ": " + e.getMessage(), e);
        }
        reload();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
