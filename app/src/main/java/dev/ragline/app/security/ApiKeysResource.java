package dev.ragline.app.security;

import dev.ragline.app.api.InvalidRequestException;
import dev.ragline.core.Tenant;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Key management for admins: the same operations as {@code bin/keys}, on the same file. */
@Path("/v1/admin/keys")
@Tag(name = "admin")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeysResource {
    @Inject AccessControl access;

    /** A key to create: its tenant, roles and an optional name. */
    public record CreateKey(String tenant, List<String> roles, String name) {
    }

    @GET
    @Operation(summary = "Every key, active and revoked, without secrets or hashes.")
    public List<ApiKeyStore.ApiKey> list() {
        return access.keys().list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a key; the response holds the key itself, which is not stored and not shown again.")
    public Response create(@NotNull(message = "a JSON body is required") CreateKey request) {
        Tenant tenant;
        try {
            tenant = new Tenant(request.tenant());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("field tenant: " + e.getMessage());
        }
        if (request.roles() == null || request.roles().isEmpty())
            throw new InvalidRequestException("field roles: give at least one of ingest, query, admin");
        Set<ApiKeyStore.Role> roles = EnumSet.noneOf(ApiKeyStore.Role.class);
        for (String role : request.roles()) {
            try {
                roles.add(ApiKeyStore.Role.parse(role));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("field roles: " + e.getMessage());
            }
        }
        return Response.status(201).entity(access.keys().create(tenant, roles, request.name())).build();
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Revoke a key: it stops working at once on this instance, within a second on others.")
    public Response revoke(@PathParam("id") String id) {
        if (!access.keys().revoke(id)) throw new NotFoundException("no API key with id " + id);
        return Response.noContent().build();
    }
}
