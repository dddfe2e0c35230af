package dev.controlplane.schemas;

import java.util.regex.Pattern;

/**
 * A caller's id for a request ({@code X-Request-Id}): kept when it is a plain token, since it goes into logs and the
 * audit trail, where nothing may forge a log line or carry markup; any other value is replaced by a new id.
 */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final int MAX_LENGTH = 128;
    public static final String PATTERN = "^[A-Za-z0-9._:@/+=-]{1," + MAX_LENGTH + "}$";
    private static final Pattern PLAIN = Pattern.compile(PATTERN);

    private RequestIds() {
    }

    public static boolean plain(String given) {
        return given != null && PLAIN.matcher(given).matches();
    }
}
