package dev.googlenet.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}}),
 * then the little-endian tensor data, with offsets relative to the start of that data.
 */
public final class Safetensors {
    /** Headers above this are refused before anything is allocated for them. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Files are read whole into one array, so the data section must fit in one. */
    static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    static final String METADATA_KEY = "__metadata__";

    private static final JsonFactory JSON = new JsonFactory();
    private static final int WRITE_CHUNK = 1 << 20;

    private Safetensors() {
    }

    /** A tensor to write: float32 values ({@link F32}) or int64 values ({@link I64}), each with a shape. */
    public sealed interface Entry {
        int[] shape();

        static Entry of(Tensor tensor) {
            return new F32(tensor);
        }

        static Entry ofLongs(long[] values, int... shape) {
            return new I64(values, shape);
        }

        record F32(Tensor tensor) implements Entry {
            public F32 {
                Objects.requireNonNull(tensor, "tensor");
            }

            @Override
            public int[] shape() {
                return tensor.shape();
            }
        }

        /** Int64 values in row-major order; {@code values} is not copied (records of arrays compare by identity). */
        record I64(long[] values, int[] shape) implements Entry {
            public I64 {
                Objects.requireNonNull(values, "values");
                shape = shape.clone();
                long n = Shape.size(shape);
                if (n != values.length) {
                    throw new IllegalArgumentException(
                            "shape " + Shape.toString(shape) + " needs " + n + " values, got " + values.length);
                }
            }

            @Override
            public int[] shape() {
                return shape.clone();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- reading

    /** Reads and checks the whole file; every problem with it is a {@link SafetensorsException} naming the file. */
    public static SafetensorsFile read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafetensorsException(file,
                        "file is " + size + " bytes, shorter than the 8-byte header length field");
            }
            // The length is unsigned: a negative long means at least 2^63, larger than any file.
            long n = readFully(ch, file, 0, 8).getLong(0);
            if (n < 0 || n > size - 8) {
                throw new SafetensorsException(file, "header length " + Long.toUnsignedString(n)
                        + " is larger than the " + (size - 8) + " bytes after the length field");
            }
            if (n > MAX_HEADER_BYTES) {
                throw new SafetensorsException(file,
                        "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            long dataBytes = size - 8 - n;
            if (dataBytes > MAX_DATA_BYTES) {
                throw new SafetensorsException(file, "data section of " + dataBytes
                        + " bytes is too large to read into memory (limit " + MAX_DATA_BYTES + ")");
            }
            byte[] header = readFully(ch, file, 8, (int) n).array();
            SequencedMap<String, String> metadata = new LinkedHashMap<>();
            SequencedMap<String, SafetensorsFile.Info> entries = new LinkedHashMap<>();
            parseHeader(file, header, dataBytes, metadata, entries);
            byte[] data = readFully(ch, file, 8 + n, (int) dataBytes).array();
            return new SafetensorsFile(file, metadata, entries, data);
        }
    }

    private static ByteBuffer readFully(FileChannel ch, Path file, long position, int length) throws IOException {
        try {
            return FileBytes.read(ch, file, position, length);
        } catch (java.io.EOFException e) {
            throw new SafetensorsException(file, "file ended early (was it changed while being read?)");
        }
    }

    private static void parseHeader(Path file, byte[] header, long dataBytes, SequencedMap<String, String> metadata,
                                    SequencedMap<String, SafetensorsFile.Info> entries) throws SafetensorsException {
        try (JsonParser p = JSON.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SafetensorsException(file, "header is not a JSON object");
            }
            boolean sawMetadata = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    if (sawMetadata) {
                        throw new SafetensorsException(file, "header has " + METADATA_KEY + " twice");
                    }
                    sawMetadata = true;
                    parseMetadata(file, p, metadata);
                } else {
                    if (entries.containsKey(name)) {
                        throw new SafetensorsException(file, "tensor '" + name + "' appears twice in the header");
                    }
                    entries.put(name, parseEntry(file, p, name, dataBytes));
                }
            }
            // Only padding may follow the object; the parser skips whitespace and rejects anything else but JSON.
            if (p.nextToken() != null) {
                throw new SafetensorsException(file, "header has content after its JSON object");
            }
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at != null && at.getByteOffset() >= 0
                    ? " (byte " + at.getByteOffset() + " of the header)"
                    : "";
            throw new SafetensorsException(file, "header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) { // parsing a byte array reports its problems as JacksonException; keep the type
            throw new SafetensorsException(file, "cannot parse header: " + e.getMessage(), e);
        }
    }

    private static void parseMetadata(Path file, JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsException(file, METADATA_KEY + " is not a JSON object of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new SafetensorsException(file,
                        METADATA_KEY + " value for '" + key + "' is not a string but " + describe(p));
            }
            if (metadata.put(key, p.getText()) != null) {
                throw new SafetensorsException(file, METADATA_KEY + " has key '" + key + "' twice");
            }
        }
    }

    private static SafetensorsFile.Info parseEntry(Path file, JsonParser p, String name, long dataBytes)
            throws IOException {
        String tensor = "tensor '" + name + "'";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsException(file,
                    tensor + " is not an object with dtype, shape and data_offsets but " + describe(p));
        }
        String dtypeName = null;
        long[] shapeValues = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            boolean repeated = switch (key) {
                case "dtype" -> {
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw new SafetensorsException(file, tensor + " dtype is not a string but " + describe(p));
                    }
                    boolean again = dtypeName != null;
                    dtypeName = p.getText();
                    yield again;
                }
                case "shape" -> {
                    boolean again = shapeValues != null;
                    shapeValues = integers(file, p, tensor + " shape");
                    yield again;
                }
                case "data_offsets" -> {
                    boolean again = offsets != null;
                    offsets = integers(file, p, tensor + " data_offsets");
                    yield again;
                }
                default -> { // other keys are not part of the format; ignore them as the reference reader does
                    p.skipChildren();
                    yield false;
                }
            };
            if (repeated) {
                throw new SafetensorsException(file, tensor + " has " + key + " twice");
            }
        }
        String missing = dtypeName == null ? "dtype"
                : shapeValues == null ? "shape"
                : offsets == null ? "data_offsets"
                : null;
        if (missing != null) {
            throw new SafetensorsException(file, tensor + " has no " + missing);
        }
        Dtype dtype = Dtype.parse(dtypeName);
        if (dtype == null) {
            throw new SafetensorsException(file,
                    tensor + " has unknown dtype '" + dtypeName + "' (supported: " + Dtype.known() + ")");
        }
        int[] shape = new int[shapeValues.length];
        for (int i = 0; i < shape.length; i++) {
            if (shapeValues[i] < 0 || shapeValues[i] > Integer.MAX_VALUE) {
                throw new SafetensorsException(file, tensor + " shape " + Arrays.toString(shapeValues).replace(" ", "")
                        + " has a dimension outside 0.." + Integer.MAX_VALUE);
            }
            shape[i] = (int) shapeValues[i];
        }
        if (offsets.length != 2) {
            throw new SafetensorsException(file, tensor + " data_offsets must be [begin, end], got "
                    + Arrays.toString(offsets).replace(" ", ""));
        }
        long begin = offsets[0];
        long end = offsets[1];
        String range = "data_offsets [" + begin + "," + end + "]";
        if (begin < 0 || end < 0) {
            throw new SafetensorsException(file, tensor + " " + range + " are negative");
        }
        if (begin > end) {
            throw new SafetensorsException(file, tensor + " " + range + " begin after end");
        }
        if (end > dataBytes) {
            throw new SafetensorsException(file,
                    tensor + " " + range + " lie outside the data section (" + dataBytes + " bytes)");
        }
        long expected = byteSize(shape, dtype);
        if (end - begin != expected) {
            throw new SafetensorsException(file, tensor + " " + range + " do not match dtype " + dtype + " and shape "
                    + Shape.toString(shape) + " (" + (expected < 0 ? "too many" : expected) + " bytes)");
        }
        return new SafetensorsFile.Info(dtype, shape, begin, end);
    }

    /** Bytes a tensor needs, or -1 when that overflows a long (such a shape cannot match any data section). */
    private static long byteSize(int[] shape, Dtype dtype) {
        try {
            long n = dtype.bytes;
            for (int d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** A JSON array of integers, each fitting a long. */
    private static long[] integers(Path file, JsonParser p, String what) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new SafetensorsException(file, what + " is not an array of integers but " + describe(p));
        }
        long[] values = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw new SafetensorsException(file, what + " has a non-integer element " + describe(p));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new SafetensorsException(file, what + " has an element too large: " + p.getText());
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, 2 * n);
            }
            values[n++] = p.getLongValue();
        }
        return Arrays.copyOf(values, n);
    }

    private static String describe(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string \"" + p.getText() + "\"";
            case VALUE_NULL -> "null";
            case null -> "nothing";
            default -> p.getText();
        };
    }

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * Writes float32 tensors in the map's iteration order, with optional metadata (pass an empty map for none).
     * See {@link #writeEntries} for how the file is replaced.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        SequencedMap<String, Entry> entries = new LinkedHashMap<>();
        tensors.forEach((name, t) -> entries.put(name, Entry.of(t)));
        writeEntries(file, entries, metadata);
    }

    /**
     * Writes tensors of either dtype in the map's iteration order, data contiguous, header padded with spaces to
     * a multiple of 8 bytes, through {@link AtomicWrite}: readers see the old file or the complete new one.
     */
    public static void writeEntries(Path file, Map<String, ? extends Entry> entries, Map<String, String> metadata)
            throws IOException {
        byte[] header = header(entries, metadata);
        AtomicWrite.write(file, ch -> {
            ByteBuffer buf = ByteBuffer.allocate(WRITE_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            writeAll(ch, buf.flip());
            writeAll(ch, ByteBuffer.wrap(header));
            for (Entry e : entries.values()) {
                writeData(ch, buf, e);
            }
        });
    }

    /** The JSON header, padded with spaces so that the data starts at a multiple of 8 bytes. */
    static byte[] header(Map<String, ? extends Entry> entries, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(metadata, "metadata (pass an empty map for none)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeFieldName(METADATA_KEY);
                g.writeStartObject();
                for (var m : metadata.entrySet()) {
                    g.writeStringField(Objects.requireNonNull(m.getKey(), "metadata key"),
                            Objects.requireNonNull(m.getValue(), () -> "metadata value for " + m.getKey()));
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (var e : entries.entrySet()) {
                String name = Objects.requireNonNull(e.getKey(), "tensor name");
                Entry entry = Objects.requireNonNull(e.getValue(), () -> "tensor " + name);
                if (name.equals(METADATA_KEY)) {
                    throw new IllegalArgumentException(METADATA_KEY + " is reserved and cannot name a tensor");
                }
                Dtype dtype = dtype(entry);
                int[] shape = entry.shape();
                long end = offset + Shape.size(shape) * dtype.bytes;
                g.writeFieldName(name);
                g.writeStartObject();
                g.writeStringField("dtype", dtype.name());
                g.writeArrayFieldStart("shape");
                for (int d : shape) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                offset = end;
            }
            g.writeEndObject();
        }
        int padded = (out.size() + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(out.toByteArray(), padded);
        Arrays.fill(header, out.size(), padded, (byte) ' ');
        return header;
    }

    private static Dtype dtype(Entry e) {
        return switch (e) {
            case Entry.F32 _ -> Dtype.F32;
            case Entry.I64 _ -> Dtype.I64;
        };
    }

    /** Writes one entry's values little-endian through {@code buf}, a chunk at a time. */
    private static void writeData(FileChannel ch, ByteBuffer buf, Entry e) throws IOException {
        switch (e) {
            case Entry.F32(Tensor t) -> {
                float[] v = t.data();
                int per = buf.capacity() / Float.BYTES;
                for (int i = 0; i < v.length; i += per) {
                    int n = Math.min(per, v.length - i);
                    buf.clear();
                    buf.asFloatBuffer().put(v, i, n);
                    writeAll(ch, buf.limit(n * Float.BYTES));
                }
            }
            case Entry.I64(long[] v, int[] _) -> {
                int per = buf.capacity() / Long.BYTES;
                for (int i = 0; i < v.length; i += per) {
                    int n = Math.min(per, v.length - i);
                    buf.clear();
                    buf.asLongBuffer().put(v, i, n);
                    writeAll(ch, buf.limit(n * Long.BYTES));
                }
            }
        }
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
