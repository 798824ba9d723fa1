package dev.ragline.app.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * A body that is JSON but not of the endpoint's shape: an unknown field, a wrong type, trailing data. Quarkus
     * REST has a built-in mapper for this exception that answers an empty 400; this one, being the application's,
     * wins and names the field.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return jsonError(e);
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return jsonError(e);
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e, HttpHeaders headers) {
        String type = headers.getHeaderString(HttpHeaders.CONTENT_TYPE);
        return json(415, "unsupported_media_type", (type == null ? "no content type was given"
                : "content type '" + type + "' is not supported here") + "; send the body as application/json", List.of());
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        // Quarkus REST wraps JSON syntax errors (and bad UTF-8) in a bare 400 whose message is "HTTP 400 Bad Request".
        if (e.getCause() instanceof JsonProcessingException json) return jsonError(json);
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

    @ServerExceptionMapper
    public Response tooBusy(TooBusyException e) {
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON)
                .header("Retry-After", String.valueOf(e.retryAfterSeconds()))
                .entity(new ApiError(e.status(), e.status() == 429 ? "too_many_requests" : "unavailable",
                        e.getMessage(), List.of())).build();
    }

    /** One message per Jackson failure: the field path and what was expected for binding errors, the place for syntax. */
    static Response jsonError(JsonProcessingException e) {
        if (e.getCause() instanceof StreamReadException syntax) e = syntax; // bad UTF-8 inside a field's value
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = path(m.getPath());
            String problem;
            if (e instanceof UnrecognizedPropertyException u) {
                problem = "unknown field" + known(u.getKnownPropertyIds());
            } else if (e instanceof MismatchedInputException mi) {
                problem = mismatch(mi);
            } else {
                problem = firstLine(m.getOriginalMessage());
            }
            return json(400, "bad_request", "request is invalid: " + field + ": " + problem, List.of(field + ": " + problem));
        }
        if (e instanceof MismatchedInputException mi && mi.getTargetType() != null && got(mi) != null) {
            return json(400, "bad_request", "request body must be " + expected(mi.getTargetType()) + ", got " + got(mi), List.of());
        }
        return json(400, "bad_request", "request body is not valid JSON" + at(e.getLocation()) + ": "
                + firstLine(e.getOriginalMessage()), List.of());
    }

    private static String mismatch(MismatchedInputException e) {
        String got = got(e);
        if (e.getTargetType() == null || got == null) return firstLine(e.getOriginalMessage());
        return "must be " + expected(e.getTargetType()) + ", got " + got;
    }

    /** Jackson's messages name the JSON shape it found: "Cannot coerce String value ("3")", "from Array value". */
    private static final Pattern FOUND = Pattern.compile(
            "(?:Cannot coerce|from) (String|Floating-point|Integer|Boolean|Array|Object|Null) value(?: \\((?!token)(.*?)\\))?");

    /** The JSON value that did not fit, as "a string ("three")", "2.5", "an array"; null when unknown. */
    private static String got(MismatchedInputException e) {
        if (e instanceof InvalidFormatException f && f.getValue() != null)
            return f.getValue() instanceof String v ? "a string (\"" + abbreviate(v) + "\")" : abbreviate(String.valueOf(f.getValue()));
        Matcher m = FOUND.matcher(String.valueOf(e.getOriginalMessage()));
        if (!m.find()) return null;
        String value = m.group(2) == null ? null : abbreviate(m.group(2).replaceAll("^['\"]|['\"]$", ""));
        return switch (m.group(1)) {
            case "String" -> "a string" + (value == null ? "" : " (\"" + value + "\")");
            case "Floating-point", "Integer" -> value == null ? "a number" : value;
            case "Boolean" -> "a boolean";
            case "Array" -> "an array";
            case "Object" -> "an object";
            default -> "null";
        };
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == java.math.BigInteger.class) return "an integer";
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (CharSequence.class.isAssignableFrom(type)) return "a string";
        if (Collection.class.isAssignableFrom(type) || type.isArray()) return "an array";
        return "an object"; // maps, records
    }

    private static String path(List<JsonMappingException.Reference> path) {
        StringBuilder b = new StringBuilder();
        for (var ref : path) {
            if (ref.getFieldName() != null) b.append(b.isEmpty() ? "" : ".").append(ref.getFieldName());
            else if (ref.getIndex() >= 0) b.append('[').append(ref.getIndex()).append(']');
        }
        return b.isEmpty() ? "body" : b.toString();
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty()) return "";
        var names = new TreeSet<String>();
        ids.forEach(id -> names.add(String.valueOf(id)));
        return "; expected one of " + String.join(", ", names);
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    private static String firstLine(String message) {
        if (message == null) return "unreadable body";
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        // Jackson's internals: "... found after value (bound as `...SearchRequest`)", "(start marker at [Source: ...])".
        for (String tail : new String[]{" (bound as", " (start marker at"}) {
            int at = line.indexOf(tail);
            if (at >= 0) line = line.substring(0, at);
        }
        return line;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    /**
     * Strips the method-parameter prefix Hibernate Validator puts in front of body fields ("search.request.k"); the
     * parameter itself ("search.request", a missing body) is the body.
     */
    private static String fieldName(String path) {
        String[] parts = path.split("\\.");
        if (parts.length == 2) return "body";
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)) : path;
    }

    static Response json(int status, String error, String message, List<String> details) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(status, error, message, details)).build();
    }
}
