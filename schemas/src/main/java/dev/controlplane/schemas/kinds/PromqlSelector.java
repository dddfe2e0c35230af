package dev.controlplane.schemas.kinds;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks that a text is a PromQL instant vector selector: an optional metric name, then optional
 * {@code {label op "value", …}} with {@code = != =~ !~}, as a GEM label policy's {@code selector}. As in Prometheus,
 * at least one matcher must not match the empty string, so a selector cannot select everything by accident.
 */
public final class PromqlSelector {

    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final String text;
    private int at;
    private boolean nonEmptyMatcher;

    private PromqlSelector(String text) {
        this.text = text;
    }

    /** Null when {@code text} parses; otherwise what is wrong and where. */
    public static String problem(String text) {
        try {
            new PromqlSelector(text).parse();
            return null;
        } catch (IllegalArgumentException e) {
            return "must be a PromQL metric selector such as {job=\"api\", env!=\"dev\"}: " + e.getMessage();
        }
    }

    private void parse() {
        skipSpace();
        String metric = take(METRIC);
        if (metric != null) {
            nonEmptyMatcher = true;
        }
        skipSpace();
        if (at < text.length() && text.charAt(at) == '{') {
            at++;
            matchers();
        } else if (metric == null) {
            throw fail("expected a metric name or '{'");
        }
        skipSpace();
        if (at != text.length()) {
            throw fail("unexpected text");
        }
        if (!nonEmptyMatcher) {
            throw fail("at least one matcher must not match the empty string");
        }
    }

    private void matchers() {
        while (true) {
            skipSpace();
            if (peek('}')) {
                at++;
                return;
            }
            String label = take(LABEL);
            if (label == null) {
                throw fail("expected a label name");
            }
            skipSpace();
            String op = operator();
            skipSpace();
            String value = quoted();
            boolean regex = op.endsWith("~");
            if (regex) {
                try {
                    Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw fail("invalid regular expression for " + label);
                }
            }
            boolean equalMatchesEmpty = regex ? Pattern.compile(value).matcher("").matches() : value.isEmpty();
            boolean matchesEmpty = op.startsWith("!") != equalMatchesEmpty;
            nonEmptyMatcher |= !matchesEmpty;
            skipSpace();
            if (peek(',')) {
                at++;
            } else if (!peek('}')) {
                throw fail("expected ',' or '}'");
            }
        }
    }

    private String operator() {
        for (String op : new String[] {"=~", "!~", "!=", "="}) {
            if (text.startsWith(op, at)) {
                at += op.length();
                return op;
            }
        }
        throw fail("expected one of = != =~ !~");
    }

    private String quoted() {
        if (at >= text.length() || "\"'`".indexOf(text.charAt(at)) < 0) {
            throw fail("expected a quoted value");
        }
        char quote = text.charAt(at++);
        StringBuilder value = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == quote) {
                return value.toString();
            }
            if (c == '\\' && quote != '`' && at < text.length()) {
                value.append(text.charAt(at++));
            } else {
                value.append(c);
            }
        }
        throw fail("unterminated string");
    }

    private String take(Pattern pattern) {
        var matcher = pattern.matcher(text).region(at, text.length());
        if (matcher.lookingAt()) {
            at = matcher.end();
            return matcher.group();
        }
        return null;
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private IllegalArgumentException fail(String why) {
        return new IllegalArgumentException(why + " at position " + at);
    }
}
