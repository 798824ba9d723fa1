package dev.ragline.app.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps failures to JSON errors: what the caller did wrong is a 4xx with a message, never a bare 500. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response invalidRequest(InvalidRequestException e) {
        return json(400, "bad_request", e.getMessage(), e.details());
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e) {
        List<String> details = e.getConstraintViolations().stream()
                .map(v -> fieldName(v.getPropertyPath().toString()) + ": " + v.getMessage())
                .sorted().toList();
        return json(400, "bad_request", "request is invalid: " + String.join("; ", details), details);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return json(400, "bad_request", "request body is not valid JSON for this endpoint: " + e.getOriginalMessage(), List.of());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) LOG.error("request failed", e);
        return json(status, Response.Status.fromStatusCode(status) == null ? "error"
                : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase().replace(' ', '_'), e.getMessage(), List.of());
    }

    /** No credentials, or credentials that are not valid: 401 with the bearer challenge. */
    @ServerExceptionMapper({io.quarkus.security.UnauthorizedException.class, io.quarkus.security.AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e) {
        String message = e instanceof io.quarkus.security.AuthenticationFailedException && e.getMessage() != null
                ? e.getMessage() : "authentication required: send Authorization: Bearer <API key>";
        return Response.fromResponse(json(401, "unauthorized", message, List.of()))
                .header("WWW-Authenticate", "Bearer realm=\"ragline\"").build();
    }

    /** Valid credentials without the role the endpoint needs, or without a tenant. */
    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e) {
        String message = e.getMessage() != null && !e.getMessage().isBlank() ? e.getMessage()
                : "the credentials lack the role this endpoint needs (ingest, query or admin; see README, \"Security\")";
        return json(403, "forbidden", message, List.of());
    }

    @ServerExceptionMapper
    public Response unavailable(ServiceUnavailableException e) {
        return json(503, "unavailable", e.getMessage(), List.of());
    }

    /** Strips the method-parameter prefix Hibernate Validator puts in front of body fields ("search.request.k"). */
    private static String fieldName(String path) {
        String[] parts = path.split("\\.");
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)) : path;
    }

    static Response json(int status, String error, String message, List<String> details) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status, error, message, details)).build();
    }
}
