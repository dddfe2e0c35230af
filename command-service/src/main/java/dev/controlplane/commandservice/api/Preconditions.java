package dev.controlplane.commandservice.api;

import dev.controlplane.httpsupport.ApiException;
import dev.controlplane.schemas.ExpectedVersion;
import dev.controlplane.schemas.Problem;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses {@code If-Match}: an updating request must name the version it read, or {@code *}. */
final class Preconditions {

    private static final Pattern ETAG = Pattern.compile("(?:W/)?\"(\\d{1,18})\"");

    private Preconditions() {
    }

    static ExpectedVersion ifMatch(String header) {
        if (header == null || header.isBlank()) {
            throw new ApiException(Problem.of("precondition-required", "Precondition required", 428,
                    "an If-Match header with the version you read (its ETag) or \"*\" is required"));
        }
        String value = header.strip();
        if (value.equals("*") || value.equals("\"*\"")) {
            return ExpectedVersion.ANY;
        }
        Matcher m = ETAG.matcher(value);
        if (!m.matches()) {
            throw ApiException.invalidField("If-Match", "must be a quoted version such as \"3\", or *");
        }
        return ExpectedVersion.exactly(Long.parseLong(m.group(1)));
    }

    static String etag(long version) {
        return "\"" + version + "\"";
    }
}
