package dev.ragline.app.security;

import dev.ragline.core.Tenant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/keys}: creates, lists and revokes API keys in the key file, with or without the service running (a
 * running service picks the change up within a second).
 *
 * <pre>
 * bin/keys create --tenant acme --roles ingest,query [--name ci] [--file data/api-keys.json]
 * bin/keys list [--file …]
 * bin/keys revoke ID [--file …]
 * </pre>
 */
public final class ApiKeysCommand {
    static final String USAGE = """
            usage: bin/keys create --tenant NAME --roles ROLE[,ROLE…] [--name TEXT] [--file PATH]
                   bin/keys list [--file PATH]
                   bin/keys revoke ID [--file PATH]
            roles: ingest (publish/delete documents), query (search, classify, ask), admin (reports, metrics, keys)
            PATH defaults to $RAGLINE_AUTH_KEYS_FILE, else data/api-keys.json""";

    private ApiKeysCommand() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(List.of(args)));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    /** Runs one command and returns what it prints. */
    public static String run(List<String> args) {
        if (args.isEmpty()) throw new IllegalArgumentException("no command given");
        List<String> positional = new ArrayList<>();
        String tenant = null, roles = null, name = null, file = System.getenv("RAGLINE_AUTH_KEYS_FILE");
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--tenant" -> tenant = value(args, ++i, arg);
                case "--roles" -> roles = value(args, ++i, arg);
                case "--name" -> name = value(args, ++i, arg);
                case "--file" -> file = value(args, ++i, arg);
                default -> {
                    if (arg.startsWith("--")) throw new IllegalArgumentException("unknown option " + arg);
                    positional.add(arg);
                }
            }
        }
        ApiKeyStore store = ApiKeyStore.open(Path.of(file == null || file.isBlank() ? "data/api-keys.json" : file));
        switch (args.get(0)) {
            case "create" -> {
                if (tenant == null || roles == null) throw new IllegalArgumentException("create needs --tenant and --roles");
                Set<ApiKeyStore.Role> roleSet = EnumSet.noneOf(ApiKeyStore.Role.class);
                for (String r : roles.split(",")) roleSet.add(ApiKeyStore.Role.parse(r.strip()));
                var issued = store.create(new Tenant(tenant), roleSet, name);
                return "created key " + issued.entry().id() + " for tenant " + tenant + " with roles "
                        + String.join(",", issued.entry().roles()) + " in " + store.file()
                        + "\n" + issued.key() + "\n(the key is shown only now; the file keeps its SHA-256)";
            }
            case "list" -> {
                StringBuilder out = new StringBuilder(String.format("%-12s  %-20s  %-24s  %-20s  %s%n", "ID", "TENANT", "ROLES", "NAME", "STATE"));
                for (var k : store.list())
                    out.append(String.format("%-12s  %-20s  %-24s  %-20s  %s%n", k.id(), k.tenant(), String.join(",", k.roles()),
                            k.name() == null ? "" : k.name(), k.active() ? "active since " + k.created() : "revoked " + k.revoked()));
                return out.toString().stripTrailing();
            }
            case "revoke" -> {
                if (positional.size() != 1) throw new IllegalArgumentException("revoke needs one key id");
                if (!store.revoke(positional.get(0))) throw new IllegalArgumentException("no key with id " + positional.get(0));
                return "revoked key " + positional.get(0);
            }
            default -> throw new IllegalArgumentException("unknown command " + args.get(0));
        }
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) throw new IllegalArgumentException(option + " needs a value");
        return args.get(i);
    }
}
