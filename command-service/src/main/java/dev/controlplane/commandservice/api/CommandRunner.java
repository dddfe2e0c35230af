package dev.controlplane.commandservice.api;

import dev.controlplane.commandservice.gateway.CommandGateway;
import dev.controlplane.commandservice.gateway.GatewaySettings;
import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.httpsupport.JsonResponses;
import dev.controlplane.schemas.CommandEnvelope;
import dev.controlplane.schemas.CommandResult;
import dev.controlplane.schemas.CommandTypes;
import dev.controlplane.schemas.Problem;
import dev.controlplane.schemas.kinds.ResourceKind;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** Sends a command, waits (bounded) for its decision, and turns the outcome into the HTTP answer every write gives. */
@Component
class CommandRunner {

    private final CommandGateway gateway;
    private final GatewaySettings settings;

    CommandRunner(CommandGateway gateway, GatewaySettings settings) {
        this.gateway = gateway;
        this.settings = settings;
    }

    /** The decided resource as a client sees it, with its version; or 202 with a status URL when the bound passes. */
    record Decided(CommandResult result, ObjectNode body, HttpHeaders headers, boolean created) {
    }

    /** @param secret shown in this answer only (a new token's); never stored or logged */
    ResponseEntity<byte[]> answer(ResourceKind kind, CommandEnvelope command, String secret) {
        return decide(kind, command, secret, decided ->
                JsonResponses.json(decided.created() ? 201 : 200, decided.headers(), decided.body()));
    }

    /** As {@link #answer}, with the caller choosing how an accepted outcome is written (JSON or YAML). */
    ResponseEntity<byte[]> decide(ResourceKind kind, CommandEnvelope command, String secret,
                                  Function<Decided, ResponseEntity<byte[]>> written) {
        CommandResult result;
        try {
            result = gateway.send(command).get(settings.replyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return accepted(command);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a decision", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandGateway.StillPending) {
                return accepted(command);
            }
            boolean maybeWritten = !(e.getCause() instanceof CommandGateway.NotSent notSent) || notSent.maybeWritten();
            String statusUrl = statusUrl(command);
            throw new ApiException(Problem.of("unavailable", "Service unavailable", 503, maybeWritten
                    ? "the command may not have reached the log; " + statusUrl + " tells whether it was decided (retry with the same Idempotency-Key to be safe)"
                    : "the command could not be sent to the log; nothing was changed"), Map.of(HttpHeaders.RETRY_AFTER, "1"));
        }
        if (!result.accepted()) {
            Problem problem = result.problem();
            throw problem.status() == 503
                    ? new ApiException(problem, Map.of(HttpHeaders.RETRY_AFTER, "1", COMMAND_ID, command.id().toString()))
                    : new ApiException(problem, Map.of(COMMAND_ID, command.id().toString()));
        }
        HttpHeaders headers = new HttpHeaders();
        headers.add(COMMAND_ID, command.id().toString());
        if (kind.mutable()) {
            headers.setETag(Preconditions.etag(result.version()));
        }
        boolean created = CommandTypes.verb(result.commandType()).equals(CommandTypes.CREATE);
        if (created) {
            headers.add(HttpHeaders.LOCATION, kind.isSingleton() ? "/api/v1/" + kind.collection()
                    : "/api/v1/" + kind.collection() + "/" + result.resource().name());
        }
        ObjectNode body = kind.shown(result.data());
        if (secret != null && created) {
            body = body.deepCopy().put(kind.secret().answerField(), secret);
        }
        return written.apply(new Decided(result, body, headers, created));
    }

    private static String statusUrl(CommandEnvelope command) {
        return "/api/v1/commands/" + command.id();
    }

    /** 202: the command is on the log and will be decided; its outcome is at the status URL. */
    private static ResponseEntity<byte[]> accepted(CommandEnvelope command) {
        HttpHeaders headers = new HttpHeaders();
        String statusUrl = statusUrl(command);
        headers.add(HttpHeaders.LOCATION, statusUrl);
        headers.add(HttpHeaders.RETRY_AFTER, "1");
        return JsonResponses.json(202, headers, Map.of("id", command.id(), "status", "pending", "status_url", statusUrl));
    }

    /** Every decided write names its command, so its outcome and its events can be traced (and looked up again). */
    static final String COMMAND_ID = "X-Command-Id";

    static void requireValid(ResourceKind.Validated valid) {
        if (!valid.valid()) {
            String detail = valid.errors().stream().map(e -> e.field() + " " + e.message())
                    .reduce((a, b) -> a + "; " + b).orElse("invalid request");
            throw new ApiException(new Problem("/problems/invalid-request", "Invalid request", 400, detail, null, valid.errors()));
        }
    }
}
