package dev.googlenet.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each malformed input gives one SafetensorsException whose message names the file and the problem. */
class SafetensorsMalformedTest {
    @TempDir
    Path dir;

    private static void assertProblem(Path file, String... fragments) {
        assertProblem(file, () -> Safetensors.read(file), fragments);
    }

    private static void assertProblem(Path file, Executable action, String... fragments) {
        SafetensorsException e = assertThrows(SafetensorsException.class, action);
        String m = e.getMessage();
        assertTrue(m.startsWith(file.getFileName() + ": "), () -> "message should start with the file name: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), () -> "expected \"" + f + "\" in: " + m);
        }
        assertEquals(file, e.file());
    }

    private Path header(String name, String json, int dataBytes) throws IOException {
        return Crafted.file(dir, name, json, new byte[dataBytes]);
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        Path p = Crafted.raw(dir, "short.safetensors", new byte[] {1, 0, 0, 0, 0});
        assertProblem(p, "file is 5 bytes, shorter than the 8-byte header length field");
    }

    @Test
    void headerLengthLargerThanFile() throws IOException {
        Path p = Crafted.raw(dir, "long.safetensors", Crafted.concat(Crafted.le64(1000), "{}".getBytes()));
        assertProblem(p, "header length 1000 is larger than the 2 bytes after the length field");
    }

    @Test
    void headerLengthAboveTwoToThe63IsReadAsUnsigned() throws IOException {
        Path p = Crafted.raw(dir, "huge.safetensors", Crafted.concat(Crafted.le64(-1), "{}".getBytes()));
        assertProblem(p, "header length 18446744073709551615 is larger than the 2 bytes");
    }

    @Test
    void headerLengthAboveLimitIsRefusedBeforeAllocating() throws IOException {
        long n = Safetensors.MAX_HEADER_BYTES + 1;
        Path p = Crafted.raw(dir, "big.safetensors", Crafted.le64(n));
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(8 + n); // sparse: takes no disk space, and the reader must not allocate n bytes
        }
        assertProblem(p, "header length " + n + " exceeds the limit of " + Safetensors.MAX_HEADER_BYTES + " bytes");
    }

    @Test
    void emptyHeader() throws IOException {
        assertProblem(header("empty.safetensors", "", 0), "header is not a JSON object");
    }

    @Test
    void headerNotValidJson() throws IOException {
        assertProblem(header("bad.safetensors", "{\"a\": {\"dtype\": ", 0),
                "header is not valid JSON (byte 16 of the header): Unexpected end-of-input");
        assertProblem(header("garbage.safetensors", Crafted.entry("t", "F32", "[1]", 0, 4) + " xyz", 4),
                "header is not valid JSON", "xyz");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] h = Crafted.concat("{\"".getBytes(), new byte[] {(byte) 0xC3, (byte) 0x28}, "\":{}}".getBytes());
        Path p = Crafted.raw(dir, "latin.safetensors", Crafted.concat(Crafted.le64(h.length), h));
        assertProblem(p, "header is not valid JSON", "UTF-8");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertProblem(header("array.safetensors", "[1, 2]", 0), "header is not a JSON object");
    }

    @Test
    void contentAfterTheObject() throws IOException {
        assertProblem(header("two.safetensors", "{} {}", 0), "header has content after its JSON object");
    }

    @Test
    void trailingSpacesAreAccepted() throws IOException {
        Path p = header("padded.safetensors", Crafted.entry("t", "F32", "[1]", 0, 4) + "       ", 4);
        assertArrayEquals(new float[] {0f}, Safetensors.read(p).tensor("t").data());
    }

    @Test
    void entryNotAnObject() throws IOException {
        assertProblem(header("entry.safetensors", "{\"a\": 3}", 0),
                "tensor 'a' is not an object with dtype, shape and data_offsets but 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void entryMissingAField(String field) throws IOException {
        String json = Crafted.entry("w", "F32", "[1]", 0, 4)
                .replaceFirst("\"" + field + "\":(\"F32\"|\\[[0-9,]*\\]),?", "")
                .replace(",}", "}");
        assertTrue(!json.contains(field), json);
        assertProblem(header("missing-" + field + ".safetensors", json, 4), "tensor 'w' has no " + field);
    }

    @Test
    void unknownDtype() throws IOException {
        assertProblem(header("dtype.safetensors", Crafted.entry("w", "F33", "[1]", 0, 4), 4),
                "tensor 'w' has unknown dtype 'F33' (supported: F64, F32, F16, BF16, I64");
    }

    @Test
    void dtypeNotAString() throws IOException {
        assertProblem(header("dtype2.safetensors", "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w' dtype is not a string but 4");
    }

    @Test
    void negativeDimension() throws IOException {
        assertProblem(header("neg.safetensors", Crafted.entry("w", "F32", "[2,-1]", 0, 0), 0),
                "tensor 'w' shape [2,-1] has a dimension outside 0..2147483647");
    }

    @Test
    void nonIntegerDimension() throws IOException {
        assertProblem(header("frac.safetensors", Crafted.entry("w", "F32", "[2.5]", 0, 10), 10),
                "tensor 'w' shape has a non-integer element 2.5");
        assertProblem(header("str.safetensors", Crafted.entry("w", "F32", "[\"2\"]", 0, 8), 8),
                "tensor 'w' shape has a non-integer element the string \"2\"");
        assertProblem(header("obj.safetensors", Crafted.entry("w", "F32", "{}", 0, 8), 8),
                "tensor 'w' shape is not an array of integers but an object");
    }

    @Test
    void dimensionTooLargeForInt() throws IOException {
        assertProblem(header("dim.safetensors", Crafted.entry("w", "U8", "[3000000000]", 0, 0), 0),
                "tensor 'w' shape [3000000000] has a dimension outside 0..2147483647");
        assertProblem(header("bigint.safetensors", Crafted.entry("w", "U8", "[99999999999999999999]", 0, 0), 0),
                "tensor 'w' shape has an element too large: 99999999999999999999");
    }

    @Test
    void offsetsOutsideTheDataSection() throws IOException {
        assertProblem(header("outside.safetensors", Crafted.entry("w", "F32", "[2]", 0, 8), 4),
                "tensor 'w' data_offsets [0,8] lie outside the data section (4 bytes)");
        assertProblem(header("negative.safetensors", Crafted.entry("w", "F32", "[1]", -4, 0), 4),
                "tensor 'w' data_offsets [-4,0] are negative");
    }

    @Test
    void offsetsBeginAfterEnd() throws IOException {
        assertProblem(header("order.safetensors", Crafted.entry("w", "F32", "[1]", 8, 4), 8),
                "tensor 'w' data_offsets [8,4] begin after end");
    }

    @Test
    void offsetsNotAPair() throws IOException {
        assertProblem(header("pair.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
                "tensor 'w' data_offsets must be [begin, end], got [0]");
    }

    @Test
    void sizeDoesNotMatchShapeAndDtype() throws IOException {
        Path p = header("tv_state.safetensors", Crafted.entry("conv1.conv.weight", "F32", "[64,3,7,7]", 0, 100), 100);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(p));
        assertEquals("tv_state.safetensors: tensor 'conv1.conv.weight' data_offsets [0,100] do not match dtype F32 "
                + "and shape [64,3,7,7] (37632 bytes)", e.getMessage());
    }

    @Test
    void sizeOverflowingALong() throws IOException {
        String shape = "[2147483647,2147483647,2147483647]";
        assertProblem(header("overflow.safetensors", Crafted.entry("w", "F64", shape, 0, 8), 8),
                "do not match dtype F64 and shape " + shape + " (too many bytes)");
    }

    @Test
    void duplicateTensorName() throws IOException {
        String e = Crafted.entry("w", "F32", "[1]", 0, 4);
        String json = e.substring(0, e.length() - 1) + "," + e.substring(1);
        assertProblem(header("dup.safetensors", json, 4), "tensor 'w' appears twice in the header");
    }

    @Test
    void metadataNotStrings() throws IOException {
        assertProblem(header("meta.safetensors", "{\"__metadata__\":{\"seed\":1}}", 0),
                "__metadata__ value for 'seed' is not a string but 1");
        assertProblem(header("meta2.safetensors", "{\"__metadata__\":[]}", 0),
                "__metadata__ is not a JSON object of strings");
    }

    @Test
    void tensorNotFoundListsCloseNames() throws IOException {
        String json = "{\"conv1.conv.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"fc.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"conv1.bn.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Path p = header("names.safetensors", json, 12);
        SafetensorsFile f = Safetensors.read(p);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.tensor("conv1.weight"));
        assertEquals("names.safetensors: tensor 'conv1.weight' not found; the file holds 3 tensors, e.g. "
                + "'conv1.conv.weight', 'conv1.bn.weight', 'fc.bias'", e.getMessage());
        assertProblem(p, () -> f.longs("nope"), "tensor 'nope' not found");
        assertProblem(p, () -> f.shape("nope"), "tensor 'nope' not found");
        assertProblem(p, () -> f.dtype("nope"), "tensor 'nope' not found");
    }

    @Test
    void wrongAccessorForTheDtype() throws IOException {
        String json = "{\"labels\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[8,12]}}";
        Path p = header("kinds.safetensors", json, 12);
        SafetensorsFile f = Safetensors.read(p);
        assertProblem(p, () -> f.tensor("labels"), "tensor 'labels' has integer dtype I64; read it with longs()");
        assertProblem(p, () -> f.longs("w"), "tensor 'w' has floating-point dtype F16; read it with tensor()");
    }

    @Test
    void messageUsesTheFileNameNotTheDirectory() throws IOException {
        Path p = Crafted.raw(dir, "x.safetensors", "tiny".getBytes(StandardCharsets.US_ASCII));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(p));
        assertTrue(e.getMessage().startsWith("x.safetensors: "), e.getMessage());
    }
}
