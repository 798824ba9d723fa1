package dev.ragline.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragline.core.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeyStoreTest {
    @TempDir Path dir;

    @Test
    void createdKeysVerifyUntilRevokedAndOnlyTheirHashIsStored() throws Exception {
        Path file = dir.resolve("keys.json");
        ApiKeyStore store = ApiKeyStore.open(file);
        assertThat(store.isEmpty()).isTrue();
        var issued = store.create(new Tenant("acme"), EnumSet.of(ApiKeyStore.Role.QUERY, ApiKeyStore.Role.INGEST), "ci");
        assertThat(issued.key()).startsWith("rgl_" + issued.entry().id() + "_");
        assertThat(store.verify(issued.key())).hasValueSatisfying(k -> {
            assertThat(k.tenant()).isEqualTo("acme");
            assertThat(k.roleSet()).containsExactlyInAnyOrder(ApiKeyStore.Role.QUERY, ApiKeyStore.Role.INGEST);
        });
        // A wrong secret under a real id, a truncated key, an unknown id, garbage: all refused.
        assertThat(store.verify(issued.key().substring(0, issued.key().length() - 1) + "x")).isEmpty();
        assertThat(store.verify(issued.key().substring(0, 20))).isEmpty();
        assertThat(store.verify("rgl_ffffffffffff_" + issued.key().substring(issued.key().lastIndexOf('_') + 1))).isEmpty();
        assertThat(store.verify("Bearer x")).isEmpty();
        String content = Files.readString(file);
        assertThat(content).doesNotContain(issued.key().substring(issued.key().lastIndexOf('_') + 1)).contains("sha256");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(store.list()).singleElement().satisfies(k -> assertThat(k.sha256()).isNull());

        assertThat(store.revoke(issued.entry().id())).isTrue();
        assertThat(store.verify(issued.key())).isEmpty();
        assertThat(store.revoke("nope")).isFalse();
        // Revoked keys stay in the file, so revoking every key does not reopen the service.
        assertThat(store.isEmpty()).isFalse();
    }

    @Test
    void anotherProcessesChangesArePickedUp() throws Exception {
        Path file = dir.resolve("keys.json");
        ApiKeyStore service = ApiKeyStore.open(file);
        ApiKeyStore command = ApiKeyStore.open(file);
        var issued = command.create(new Tenant("globex"), EnumSet.of(ApiKeyStore.Role.ADMIN), null);
        Thread.sleep(ApiKeyStore.RELOAD_INTERVAL_MILLIS + 100);
        assertThat(service.verify(issued.key())).isPresent();
        command.revoke(issued.entry().id());
        Thread.sleep(ApiKeyStore.RELOAD_INTERVAL_MILLIS + 100);
        assertThat(service.verify(issued.key())).isEmpty();
    }

    @Test
    void theCommandCreatesListsAndRevokes() {
        String file = dir.resolve("cli.json").toString();
        String created = ApiKeysCommand.run(List.of("create", "--tenant", "acme", "--roles", "query,ingest", "--name", "etl", "--file", file));
        String key = created.lines().filter(l -> l.startsWith("rgl_")).findFirst().orElseThrow();
        String id = key.split("_")[1];
        assertThat(ApiKeysCommand.run(List.of("list", "--file", file))).contains(id).contains("acme").contains("ingest,query")
                .contains("active").doesNotContain(key);
        assertThat(ApiKeysCommand.run(List.of("revoke", id, "--file", file))).contains("revoked");
        assertThat(ApiKeysCommand.run(List.of("list", "--file", file))).contains("revoked");
        assertThatThrownBy(() -> ApiKeysCommand.run(List.of("create", "--tenant", "Bad/Name", "--roles", "query", "--file", file)))
                .hasMessageContaining("tenant");
        assertThatThrownBy(() -> ApiKeysCommand.run(List.of("create", "--tenant", "acme", "--roles", "root", "--file", file)))
                .hasMessageContaining("unknown role");
        assertThatThrownBy(() -> ApiKeysCommand.run(List.of("revoke", "nope", "--file", file))).hasMessageContaining("no key");
    }

    @Test
    void onlyLoopbackAddressesCountAsLoopback() {
        assertThat(AccessControl.isLoopback("127.0.0.1")).isTrue();
        assertThat(AccessControl.isLoopback("localhost")).isTrue();
        assertThat(AccessControl.isLoopback("::1")).isTrue();
        assertThat(AccessControl.isLoopback("0.0.0.0")).isFalse();
        assertThat(AccessControl.isLoopback("no-such-host.invalid")).isFalse();
    }
}
