package dev.ragline.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragline.core.Tenant;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentEventTest {

    private static DocumentEvent decode(String key, String json) {
        return DocumentEvent.decode(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8), 10_000);
    }

    private static void rejected(String key, String json, String reason) {
        assertThatThrownBy(() -> decode(key, json)).isInstanceOf(InvalidEventException.class).hasMessageContaining(reason);
    }

    @Test
    void decodesAFullEventAndDefaultsTheOptionalFields() {
        DocumentEvent full = decode("doc-1", """
                {"id":"doc-1","title":"T","text":"Hello","contentType":"text/markdown; charset=utf-8",
                 "metadata":{"team":"search"},"version":7}""");
        assertThat(full).isEqualTo(DocumentEvent.upsert("doc-1", "T", "Hello", ContentType.MARKDOWN, Map.of("team", "search"), 7));
        assertThat(full.isDelete()).isFalse();

        DocumentEvent minimal = decode("doc-2", "{\"content\":\"Body\",\"version\":0}");
        assertThat(minimal.id()).isEqualTo("doc-2");
        assertThat(minimal.text()).isEqualTo("Body");
        assertThat(minimal.title()).isEmpty();
        assertThat(minimal.contentType()).isEqualTo(ContentType.PLAIN_TEXT);
        assertThat(minimal.metadata()).isEmpty();
    }

    @Test
    void aNullValueIsADelete() {
        DocumentEvent delete = decode("doc-1", null);
        assertThat(delete.isDelete()).isTrue();
        assertThat(delete.id()).isEqualTo("doc-1");
        assertThat(delete.toValue()).isNull();
    }

    @Test
    void roundTripsThroughTheRecordValue() {
        DocumentEvent event = DocumentEvent.upsert("d", "Title", "<p>x</p>", ContentType.HTML, Map.of("a", "b"), 3);
        assertThat(DocumentEvent.decode("d", event.toValue(), 10_000)).isEqualTo(event);
    }

    @Test
    void rejectsBadEventsWithAReason() {
        rejected(null, "{\"text\":\"x\",\"version\":1}", "key (the document id) is missing");
        rejected(" ", "{\"text\":\"x\",\"version\":1}", "key (the document id) is missing");
        rejected("d", "{\"version\":1}", "text (or content) is missing");
        rejected("d", "{\"text\":\"  \",\"version\":1}", "text is blank");
        rejected("d", "{\"text\":\"x\",\"content\":\"y\",\"version\":1}", "either text or content");
        rejected("d", "{\"id\":\"other\",\"text\":\"x\",\"version\":1}", "does not match the record key 'd'");
        rejected("d", "{\"text\":\"x\",\"contentType\":\"application/pdf\",\"version\":1}", "unknown content type 'application/pdf'");
        rejected("d", "{\"text\":\"x\"}", "version is missing");
        rejected("d", "{\"text\":\"x\",\"version\":\"2\"}", "version must be an integer");
        rejected("d", "{\"text\":\"x\",\"version\":1.5}", "version must be an integer");
        rejected("d", "{\"text\":\"x\",\"version\":-1}", "version must be >= 0");
        rejected("d", "{\"text\":\"x\",\"version\":1,\"metadata\":{\"n\":3}}", "metadata value for 'n' must be a string");
        rejected("d", "{\"text\":\"x\",\"version\":1,\"metadata\":[\"a\"]}", "metadata must be an object");
        rejected("d", "{\"text\":42,\"version\":1}", "text must be a string");
        rejected("d", "{\"text\":\"x\",\"version\":1,\"contenType\":\"text/html\"}", "unknown field 'contenType'");
        rejected("d", "{\"text\":\"x\",\"version\":1,\"version\":2}", "not valid JSON");
        rejected("d", "{\"text\":\"x\",\"version\":1} trailing", "not valid JSON");
        rejected("d", "{\"text\": \"x\"", "not valid JSON");
        rejected("d", "[1,2]", "must be a JSON object");
        rejected("d", "{\"text\":\"" + "x".repeat(20_000) + "\",\"version\":1}", "over the limit of 10000");
        assertThatThrownBy(() -> DocumentEvent.decode("d", new byte[] {'"', (byte) 0xC3, '"'}, 100))
                .isInstanceOf(InvalidEventException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void theTenantComesFromItsHeaderAndQualifiesTheStoredId() {
        assertThat(DocumentEvent.tenantOf(null, Tenant.DEFAULT)).isEqualTo(Tenant.DEFAULT);
        assertThat(DocumentEvent.tenantOf("acme", null)).isEqualTo(new Tenant("acme"));
        assertThatThrownBy(() -> DocumentEvent.tenantOf(null, null)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("ragline.tenant").hasMessageContaining("missing");
        assertThatThrownBy(() -> DocumentEvent.tenantOf("Acme Corp", Tenant.DEFAULT)).isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("ragline.tenant").hasMessageContaining("'Acme Corp'");
        var acme = new Tenant("acme");
        DocumentEvent event = DocumentEvent.decode("doc/1", "{\"text\":\"x\",\"version\":2}".getBytes(StandardCharsets.UTF_8),
                null, acme, IngestionLimits.DEFAULTS);
        assertThat(event.tenant()).isEqualTo(acme);
        assertThat(event.storeId()).isEqualTo("acme/doc/1");
        assertThat(DocumentEvent.decode("doc/1", null, "3", acme, IngestionLimits.DEFAULTS).storeId()).isEqualTo("acme/doc/1");
        rejected("d", "{\"text\":\"x\",\"version\":1,\"metadata\":{\"tenant\":\"globex\"}}", "metadata key 'tenant' is reserved");
    }
}
