package dev.ragline.app.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragline.app.security.AccessControl;
import dev.ragline.app.wiring.Platform;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import dev.ragline.ingestion.DocumentEvent;
import dev.ragline.ingestion.EventTooLargeException;
import dev.ragline.ingestion.InvalidEventException;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Documents over HTTP for teams without a Kafka producer: each request becomes an event on the same topic the
 * consumer reads, validated exactly as the consumer would (decode, limits, parse, split), so a bad document is
 * refused here (400, or 413 for a size limit, naming it) instead of being dead-lettered later. Indexing is
 * asynchronous (202): the document is searchable once the consumer has it. Documents belong to the caller's tenant
 * (the {@code ragline.tenant} header of the event), and a delete removes only the caller's tenant's document.
 */
@Path("/v1/documents")
@Tag(name = "documents")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("ingest")
public class DocumentsResource {
    private static final ObjectMapper JSON = StrictJson.configure(new ObjectMapper());

    @Inject Platform platform;
    @Inject SecurityIdentity caller;

    /** Where the event was written. */
    public record Accepted(String id, String topic, int partition, long offset) {
        static Accepted of(String id, RecordMetadata m) {
            return new Accepted(id, m.topic(), m.partition(), m.offset());
        }
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Publish a document (the event JSON, with its id) to the document topic.")
    @APIResponse(responseCode = "202", description = "On the topic; indexed asynchronously.")
    @APIResponse(responseCode = "400", description = "Not a valid document event; the body says why.")
    @APIResponse(responseCode = "413", description = "Over a size limit (event bytes, id, metadata, chunks); the body names it.")
    public Response publish(byte[] body) {
        if (body == null || body.length == 0) throw new InvalidRequestException("a JSON document is required");
        int max = platform.limits().maxEventBytes();
        if (body.length > max)
            return ErrorMappers.json(413, "payload_too_large", "document event is " + body.length
                    + " bytes, over the limit of " + max + " (ragline.ingestion.max-event-bytes)", java.util.List.of());
        String id;
        try {
            JsonNode id0 = JSON.readTree(body).path("id");
            if (!id0.isMissingNode() && !id0.isNull() && !id0.isTextual())
                throw InvalidRequestException.field("id", "must be a string (the document id, used as the Kafka key), got "
                        + id0.getNodeType().name().toLowerCase());
            if (!id0.isTextual() || id0.asText().isBlank())
                throw new InvalidRequestException("field id (the document id, used as the Kafka key) is required");
            id = id0.asText();
        } catch (JsonProcessingException e) {
            return ErrorMappers.jsonError(e);
        } catch (IOException e) {
            throw new InvalidRequestException("body could not be read: " + e.getMessage());
        }
        DocumentEvent event;
        try {
            event = platform.validator().prepare(id, body, null, AccessControl.tenantOf(caller)).event();
        } catch (EventTooLargeException e) {
            return ErrorMappers.json(413, "payload_too_large", e.getMessage(), java.util.List.of());
        } catch (InvalidEventException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        return Response.accepted(Accepted.of(id, platform.publisher().publish(event))).build();
    }

    @DELETE
    @Path("/{id}")
    @Blocking
    @Operation(summary = "Delete a document: publishes a tombstone for its id (with ?version=N, as of that version).")
    @APIResponse(responseCode = "202", description = "The tombstone is on the topic.")
    public Response delete(@PathParam("id") String id, @QueryParam("version") Long version) {
        if (id.isBlank()) throw new InvalidRequestException("document id must not be blank");
        if (version != null && version < 0) throw new InvalidRequestException("version must be >= 0");
        DocumentEvent tombstone = (version == null ? DocumentEvent.delete(id) : DocumentEvent.delete(id, version))
                .withTenant(AccessControl.tenantOf(caller));
        return Response.accepted(Accepted.of(id, platform.publisher().publish(tombstone))).build();
    }
}
