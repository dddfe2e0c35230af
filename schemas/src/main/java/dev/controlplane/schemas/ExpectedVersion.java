package dev.controlplane.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The version a writer expects: a sequence number, or {@code "*"} for any. Absent (null) means create. */
public record ExpectedVersion(Long sequence) {

    public static final ExpectedVersion ANY = new ExpectedVersion(null);

    public static ExpectedVersion exactly(long sequence) {
        return new ExpectedVersion(sequence);
    }

    public boolean isAny() {
        return sequence == null;
    }

    public boolean matches(long current) {
        return isAny() || sequence == current;
    }

    @JsonValue
    Object json() {
        return isAny() ? "*" : sequence;
    }

    @JsonCreator
    static ExpectedVersion fromJson(Object value) {
        if ("*".equals(value)) {
            return ANY;
        }
        if (value instanceof Number n) {
            return exactly(n.longValue());
        }
        throw new IllegalArgumentException("expected_version must be a number or \"*\": " + value);
    }
}
