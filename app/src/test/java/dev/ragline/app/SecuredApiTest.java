package dev.ragline.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.ragline.app.config.RaglineConfig;
import dev.ragline.app.security.ApiKeysCommand;
import dev.ragline.app.wiring.Platform;
import dev.ragline.ingestion.DocumentEvent;
import dev.ragline.ingestion.KafkaIngestionConsumer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Authentication, roles and tenant isolation through the running service (real broker, Lucene, encoder, reader):
 * API keys created through the admin endpoint and the command, JWTs signed with the profile's key.
 */
@QuarkusTest
@TestProfile(SecuredPlatformProfile.class)
@Tag("secured-profile")
class SecuredApiTest {
    private static final Duration INDEXED = Duration.ofSeconds(90);
    private static Properties credentials;

    @Inject Platform platform;
    @Inject RaglineConfig config;

    @BeforeAll
    static void readCredentials() throws IOException {
        credentials = new Properties();
        try (Reader in = Files.newBufferedReader(SecuredPlatformProfile.CREDENTIALS)) {
            credentials.load(in);
        }
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", "Bearer " + key);
    }

    /** A new key for the tenant with the roles, made through the admin endpoint. */
    private static String key(String tenant, String... roles) {
        return as(credentials.getProperty("admin-key")).contentType(ContentType.JSON)
                .body(Map.of("tenant", tenant, "roles", List.of(roles), "name", "test " + tenant))
                .post("/v1/admin/keys").then().statusCode(201)
                .body("entry.tenant", equalTo(tenant)).extract().path("key");
    }

    private static void publish(String key, String id, long version, String text) {
        as(key).contentType(ContentType.JSON).body(Map.of("id", id, "version", version, "text", text))
                .post("/v1/documents").then().statusCode(202);
    }

    private static JsonPath search(String key, String query, String mode, Map<String, Object> filter) {
        return as(key).contentType(ContentType.JSON)
                .body(Map.of("query", query, "k", 10, "mode", mode, "filter", filter))
                .post("/v1/search").then().statusCode(200).extract().jsonPath();
    }

    private static List<String> texts(JsonPath result) {
        return result.getList("hits.text", String.class);
    }

    @Test
    void withoutValidCredentialsEveryEndpointAnswers401WithAJsonBody() {
        String search = "{\"query\":\"x\"}";
        for (String[] call : new String[][] {{"POST", "/v1/search", search}, {"POST", "/v1/ask", "{\"question\":\"x\"}"},
                {"POST", "/v1/ask/stream", "{\"question\":\"x\"}"}, {"POST", "/v1/classify", "{\"text\":\"x\"}"},
                {"POST", "/v1/documents", "{\"id\":\"a\",\"version\":1,\"text\":\"x\"}"}, {"DELETE", "/v1/documents/a", null},
                {"GET", "/v1/eval/reports", null}, {"GET", "/v1/admin/keys", null}}) {
            var request = given().contentType(ContentType.JSON);
            if (call[2] != null) request.body(call[2]);
            request.request(call[0], call[1]).then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("status", equalTo(401)).body("message", containsString("authentication required"));
        }
        as("rgl_0123456789ab_notarealkey").contentType(ContentType.JSON).body(search).post("/v1/search")
                .then().statusCode(401).body("message", containsString("not valid or was revoked"));
        as("not-a-key-nor-a-token").contentType(ContentType.JSON).body(search).post("/v1/search").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401);
        as(credentials.getProperty("admin-key")).get("/q/metrics").then().statusCode(200);
        given().get("/q/health").then().statusCode(200)
                .body("checks.find { it.name == 'authentication' }.data.mode", equalTo("required"));
    }

    @Test
    void aKeyWithoutTheEndpointsRoleGets403() {
        String query = key("acme", "query"), ingest = key("acme", "ingest");
        as(query).contentType(ContentType.JSON).body(Map.of("id", "r", "version", 1, "text", "x")).post("/v1/documents")
                .then().statusCode(403).body("status", equalTo(403)).body("message", containsString("role"));
        as(query).delete("/v1/documents/r").then().statusCode(403);
        as(ingest).contentType(ContentType.JSON).body(Map.of("query", "x")).post("/v1/search").then().statusCode(403);
        as(ingest).contentType(ContentType.JSON).body(Map.of("question", "x")).post("/v1/ask").then().statusCode(403);
        as(query).get("/v1/eval/reports").then().statusCode(403);
        as(query).get("/v1/admin/keys").then().statusCode(403);
        as(query).get("/q/metrics").then().statusCode(403);
        as(query).contentType(ContentType.JSON).body(Map.of("text", "hello")).post("/v1/classify").then().statusCode(200);
        as(credentials.getProperty("admin-key")).get("/v1/eval/reports").then().statusCode(200);
    }

    @Test
    void tenantsNeverSeeCiteDeleteOrOverwriteEachOthersDocuments() {
        String acmeIn = key("acme", "ingest"), acme = key("acme", "query");
        String globexIn = key("globex", "ingest"), globex = key("globex", "query");
        publish(acmeIn, "handbook", 1, "The acme vault code is ZEBRA-4471. Staff open the vault on Mondays only.");
        publish(globexIn, "handbook", 1, "The globex canteen serves penguin-shaped waffles on Fridays.");
        Eventually.await("both handbooks indexed", INDEXED, () ->
                texts(search(acme, "ZEBRA-4471 vault", "keyword", Map.of())).stream().anyMatch(t -> t.contains("ZEBRA"))
                        && texts(search(globex, "penguin waffles", "keyword", Map.of())).stream().anyMatch(t -> t.contains("penguin")));

        // Same document id in both tenants, each sees its own under the plain id.
        JsonPath own = search(acme, "vault code", "hybrid", Map.of("document_id", "handbook"));
        assertThat(own.getList("hits.documentId", String.class)).isNotEmpty().containsOnly("handbook");
        assertThat(texts(own)).allMatch(t -> t.contains("acme"));
        // No mode and no filter reaches the other tenant's chunks.
        for (String mode : List.of("dense", "keyword", "hybrid")) {
            for (Map<String, Object> filter : List.<Map<String, Object>>of(Map.of(), Map.of("tenant", "acme"),
                    Map.of("tenant", List.of("acme", "globex")), Map.of("document_id", "handbook"))) {
                JsonPath other = search(globex, "acme vault code ZEBRA-4471", mode, filter);
                assertThat(texts(other)).as(mode + " " + filter).noneMatch(t -> t.contains("ZEBRA"));
                List<String> tenants = other.getList("hits.metadata.tenant", String.class);
                assertThat(tenants).as(mode + " " + filter).allMatch("globex"::equals);
                if (filter.equals(Map.of("tenant", "acme"))) assertThat(tenants).as(mode + " " + filter).isEmpty();
                if (filter.isEmpty() && !mode.equals("keyword")) assertThat(tenants).as(mode + " finds globex's own").isNotEmpty();
            }
        }
        // Ask cites only the caller's tenant, and the default tenant's sample corpus is not anyone else's either.
        JsonPath asked = as(globex).contentType(ContentType.JSON).body(Map.of("question", "What is the vault code?"))
                .post("/v1/ask").then().statusCode(200).extract().jsonPath();
        assertThat(asked.getString("answer")).doesNotContain("ZEBRA");
        assertThat(asked.getList("citations.text", String.class)).noneMatch(t -> t.contains("ZEBRA"));
        String sample = key("default", "query");
        Eventually.await("the sample corpus indexed in the default tenant", INDEXED,
                () -> !texts(search(sample, "pair the app with a phone", "hybrid", Map.of())).isEmpty());
        JsonPath pairing = as(acme).contentType(ContentType.JSON).body(Map.of("question", "How do I pair the app with my phone?"))
                .post("/v1/ask").then().statusCode(200).extract().jsonPath();
        assertThat(pairing.getList("citations.documentId", String.class)).allMatch("handbook"::equals);

        // A delete and an overwrite by globex leave acme's document as it was.
        as(globexIn).delete("/v1/documents/handbook").then().statusCode(202);
        Eventually.await("globex's handbook deleted", INDEXED,
                () -> texts(search(globex, "penguin waffles", "keyword", Map.of())).stream().noneMatch(t -> t.contains("penguin")));
        publish(globexIn, "handbook", 7, "The globex handbook, seventh edition, is about lemurs.");
        Eventually.await("globex's handbook v7", INDEXED,
                () -> texts(search(globex, "lemurs", "keyword", Map.of())).stream().anyMatch(t -> t.contains("lemurs")));
        JsonPath still = search(acme, "ZEBRA-4471 vault", "keyword", Map.of("document_id", "handbook"));
        assertThat(texts(still)).isNotEmpty().allMatch(t -> t.contains("ZEBRA"));
        assertThat(still.getList("hits.version", Long.class)).containsOnly(1L);
    }

    @Test
    void kafkaEventsWithoutAValidTenantHeaderAreDeadLetteredAndOthersIndexed() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String acme = key("acme", "query");
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                platform.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            String value = "{\"version\":1,\"text\":\"kafka tenant check " + tag + "\"}";
            producer.send(new ProducerRecord<>(config.kafka().topic(), "no-tenant-" + tag, value)).get();
            var bad = new ProducerRecord<>(config.kafka().topic(), "bad-tenant-" + tag, value);
            bad.headers().add(DocumentEvent.TENANT_HEADER, "Not/A Tenant".getBytes(StandardCharsets.UTF_8));
            producer.send(bad).get();
            var reserved = new ProducerRecord<>(config.kafka().topic(), "reserved-" + tag,
                    "{\"version\":1,\"text\":\"x\",\"metadata\":{\"tenant\":\"globex\"}}");
            reserved.headers().add(DocumentEvent.TENANT_HEADER, "acme".getBytes(StandardCharsets.UTF_8));
            producer.send(reserved).get();
            var good = new ProducerRecord<>(config.kafka().topic(), "good-" + tag, value);
            good.headers().add(DocumentEvent.TENANT_HEADER, "acme".getBytes(StandardCharsets.UTF_8));
            producer.send(good).get();
        }
        Eventually.await("the tenant-headed event indexed", INDEXED, () -> search(acme, tag, "keyword", Map.of())
                .getList("hits.documentId", String.class).contains("good-" + tag));
        Map<String, String> reasons = deadLetterReasons(tag, 3);
        assertThat(reasons.get("no-tenant-" + tag)).contains("record header ragline.tenant").contains("missing");
        assertThat(reasons.get("bad-tenant-" + tag)).contains("record header ragline.tenant").contains("Not/A Tenant");
        assertThat(reasons.get("reserved-" + tag)).contains("metadata key 'tenant' is reserved");
    }

    private Map<String, String> deadLetterReasons(String tag, int expected) {
        Map<String, String> reasons = new java.util.HashMap<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                platform.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "dlq-reader-" + tag,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.kafka().deadLetterTopic()));
            long deadline = System.nanoTime() + INDEXED.toNanos();
            while (reasons.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || !r.key().endsWith(tag)) continue;
                    var header = r.headers().lastHeader(KafkaIngestionConsumer.REASON_HEADER);
                    reasons.put(r.key(), header == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
                }
            }
        }
        assertThat(reasons).hasSize(expected);
        return reasons;
    }

    @Test
    void revokedKeysStopWorkingWhetherRevokedOverHttpOrWithTheCommand() {
        String search = "{\"query\":\"vault\"}";
        String admin = credentials.getProperty("admin-key");
        String viaHttp = key("acme", "query");
        as(viaHttp).contentType(ContentType.JSON).body(search).post("/v1/search").then().statusCode(200);
        String id = viaHttp.split("_")[1];
        as(admin).get("/v1/admin/keys").then().statusCode(200).body("id", hasItem(id));
        as(admin).delete("/v1/admin/keys/" + id).then().statusCode(204);
        as(viaHttp).contentType(ContentType.JSON).body(search).post("/v1/search").then().statusCode(401);
        as(admin).delete("/v1/admin/keys/nosuchkey").then().statusCode(404).body("status", equalTo(404));

        // The command edits the same file; the service notices within about a second.
        Path file = Path.of(credentials.getProperty("keys-file"));
        String created = ApiKeysCommand.run(List.of("create", "--tenant", "acme", "--roles", "query", "--file", file.toString()));
        String viaCommand = created.lines().filter(l -> l.startsWith("rgl_")).findFirst().orElseThrow();
        Eventually.await("the new key accepted", Duration.ofSeconds(10), () -> as(viaCommand).contentType(ContentType.JSON)
                .body(search).post("/v1/search").statusCode() == 200);
        ApiKeysCommand.run(List.of("revoke", viaCommand.split("_")[1], "--file", file.toString()));
        Eventually.await("the revoked key refused", Duration.ofSeconds(10), () -> as(viaCommand).contentType(ContentType.JSON)
                .body(search).post("/v1/search").statusCode() == 401);
    }

    @Test
    void theKeyFileHoldsHashesNotKeys() throws IOException {
        String key = key("acme", "query");
        String file = Files.readString(Path.of(credentials.getProperty("keys-file")));
        assertThat(file).doesNotContain(key).doesNotContain(key.substring(key.lastIndexOf('_') + 1))
                .doesNotContain(credentials.getProperty("admin-key")).contains("\"sha256\"");
        as(credentials.getProperty("admin-key")).get("/v1/admin/keys").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString("sha256")));
    }

    @Test
    void jwtBearerTokensCarryTheirRolesAndTenant() throws Exception {
        String acmeIn = key("acme", "ingest");
        publish(acmeIn, "jwt-doc", 1, "Quokka sightings are logged by the acme field team.");
        String acmeJwt = jwt(Set.of("query"), "acme");
        Eventually.await("the JWT caller sees acme's document", INDEXED, () -> as(acmeJwt).contentType(ContentType.JSON)
                .body(Map.of("query", "quokka sightings", "mode", "keyword")).post("/v1/search").then().statusCode(200)
                .extract().jsonPath().getList("hits.documentId", String.class).contains("jwt-doc"));
        String globexJwt = jwt(Set.of("query"), "globex");
        assertThat(texts(search(globexJwt, "quokka sightings", "keyword", Map.of()))).noneMatch(t -> t.contains("Quokka"));
        as(jwt(Set.of("query"), null)).contentType(ContentType.JSON).body(Map.of("query", "x")).post("/v1/search")
                .then().statusCode(403).body("message", containsString("no tenant"));
        as(jwt(Set.of("ingest"), "acme")).contentType(ContentType.JSON).body(Map.of("query", "x")).post("/v1/search")
                .then().statusCode(403);
        String forged = acmeJwt.substring(0, acmeJwt.lastIndexOf('.') + 1) + "AAAA" + acmeJwt.substring(acmeJwt.lastIndexOf('.') + 5);
        as(forged).contentType(ContentType.JSON).body(Map.of("query", "x")).post("/v1/search").then().statusCode(401);
    }

    private static String jwt(Set<String> groups, String tenant) throws Exception {
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(credentials.getProperty("jwt-private-key"))));
        var claims = Jwt.issuer(SecuredPlatformProfile.ISSUER).subject("user-" + UUID.randomUUID()).groups(groups)
                .expiresIn(Duration.ofMinutes(5));
        if (tenant != null) claims.claim("tenant", tenant);
        return claims.sign(key);
    }
}
