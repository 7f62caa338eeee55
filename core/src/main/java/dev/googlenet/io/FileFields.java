package dev.googlenet.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One JSON object of a file (a checkpoint, a metadata entry holding JSON), read field by field: each value is
 * typed and range-checked before anything uses it. Nothing is coerced: {@code "epoch": "two"} is an error, not
 * epoch 0. A problem is one {@link IOException} line naming the file, the field, the value and what is allowed:
 * {@code run/checkpoint.json: epoch is "two"; allowed: an integer from 0 to 100000}.
 */
public final class FileFields {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest quotation of a bad value in a message. */
    private static final int MAX_QUOTE = 80;

    private final String file;
    private final String prefix;
    private final JsonNode node;

    private FileFields(String file, String prefix, JsonNode node) {
        this.file = file;
        this.prefix = prefix;
        this.node = node;
    }

    /**
     * The object {@code node}, read from {@code file}; {@code where} names it in messages (a field path such as
     * {@code googlenet.config}, or "" for the file's top level).
     */
    public static FileFields of(String file, String where, JsonNode node) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException(OneLine.of(file + ": " + (where.isEmpty() ? "the file" : where) + " is "
                    + quote(node) + "; allowed: a JSON object"));
        }
        return new FileFields(file, where.isEmpty() ? "" : where + ".", node);
    }

    /** The JSON text {@code json} (a metadata value, say) named {@code where} in {@code file}, as an object. */
    public static FileFields parse(String file, String where, String json) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IOException(OneLine.of(file + ": " + where + " is not valid JSON: " + e.getOriginalMessage()));
        }
        return of(file, where, node);
    }

    /** An integer written as text (metadata values are strings), in [min, max]. */
    public static long integerText(String file, String field, String text, long min, long max) throws IOException {
        try {
            long v = Long.parseLong(text.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the same message as out of range: the value and what is allowed
        }
        throw problem(file, field, '"' + text + '"', integerRange(min, max));
    }

    /**
     * A JSON array of strings written as text (a metadata value), at most {@code maxCount} of at most
     * {@code maxLength} characters each.
     */
    public static List<String> stringArray(String file, String field, String json, int maxCount, int maxLength)
            throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IOException(OneLine.of(file + ": " + field + " is not valid JSON: " + e.getOriginalMessage()));
        }
        return of(file, "", JSON.createObjectNode().set(field, node)).strings(field, maxCount, maxLength);
    }

    /** The one-line error for a field of a file: its value (as quoted) and what is allowed. */
    public static IOException problem(String file, String field, String value, String allowed) {
        return new IOException(OneLine.of(file + ": " + field + " is " + shorten(value) + "; allowed: " + allowed));
    }

    /** The file the fields come from, as the user named it. */
    public String file() {
        return file;
    }

    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    /** The error for {@code field}, quoting its value. */
    public IOException invalid(String field, String allowed) {
        return problem(file, prefix + field, quote(node.get(field)), allowed);
    }

    public int integer(String field, int min, int max) throws IOException {
        return (int) longInteger(field, min, max);
    }

    /** An optional integer: {@code dflt} when the field is absent or null. */
    public int integer(String field, int min, int max, int dflt) throws IOException {
        return has(field) ? integer(field, min, max) : dflt;
    }

    public long longInteger(String field, long min, long max) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw invalid(field, integerRange(min, max));
        }
        return v.asLong();
    }

    /** A finite number in [min, max]. */
    public double number(String field, double min, double max) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw invalid(field, String.format(Locale.ROOT, "a number from %s to %s", plain(min), plain(max)));
        }
        return v.asDouble();
    }

    public double number(String field, double min, double max, double dflt) throws IOException {
        return has(field) ? number(field, min, max) : dflt;
    }

    public boolean bool(String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isBoolean()) {
            throw invalid(field, "true or false");
        }
        return v.asBoolean();
    }

    public boolean bool(String field, boolean dflt) throws IOException {
        return has(field) ? bool(field) : dflt;
    }

    /** A string of 1 to {@code maxLength} characters. */
    public String text(String field, int maxLength) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > maxLength) {
            throw invalid(field, "a string of 1 to " + maxLength + " characters");
        }
        return v.asText();
    }

    /** One of {@code allowed} (compared ignoring case), returned as written in {@code allowed}. */
    public String choice(String field, List<String> allowed) throws IOException {
        JsonNode v = node.get(field);
        if (v != null && v.isTextual()) {
            for (String a : allowed) {
                if (a.equalsIgnoreCase(v.asText())) {
                    return a;
                }
            }
        }
        throw invalid(field, "one of " + String.join(", ", allowed));
    }

    /** The nested object {@code field}. */
    public FileFields object(String field) throws IOException {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw invalid(field, "a JSON object");
        }
        return new FileFields(file, prefix + field + ".", v);
    }

    /** An array of at most {@code maxCount} strings, each of at most {@code maxLength} characters. */
    public List<String> strings(String field, int maxCount, int maxLength) throws IOException {
        JsonNode v = node.get(field);
        String allowed = "an array of at most " + maxCount + " strings of at most " + maxLength + " characters";
        if (v == null || !v.isArray() || v.size() > maxCount) {
            throw invalid(field, allowed);
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() || e.asText().length() > maxLength) {
                throw problem(file, prefix + field + "[" + i + "]", quote(e), "a string of at most " + maxLength
                        + " characters");
            }
            out.add(e.asText());
        }
        return out;
    }

    /** The object itself, for a reader of its own once its fields have been checked. */
    public JsonNode self() {
        return node;
    }

    /** The raw node of {@code field} (null when absent), for parts read by their own typed readers. */
    public JsonNode node(String field) {
        return node.get(field);
    }

    private static String integerRange(long min, long max) {
        return String.format(Locale.ROOT, "an integer from %,d to %,d", min, max);
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static String quote(JsonNode v) {
        return v == null ? "missing" : v.toString();
    }

    private static String shorten(String value) {
        return value.length() <= MAX_QUOTE ? value : value.substring(0, MAX_QUOTE) + "…";
    }
}
