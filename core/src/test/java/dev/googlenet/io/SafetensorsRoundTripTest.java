package dev.googlenet.io;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) {
            t.data()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    @Test
    void roundTripKeepsOrderShapesAndValues() throws IOException {
        Random r = new Random(3);
        Map<String, Tensor> in = new LinkedHashMap<>(); // deliberately not sorted, to check that order is kept
        in.put("z.weight", random(r, 3, 1, 5));
        in.put("a.bias", random(r, 7));
        in.put("scalar", Tensor.of(new float[] {Float.MIN_VALUE}));
        in.put("empty", Tensor.zeros(0, 3));
        in.put("m.conv", random(r, 2, 3, 7, 7));
        in.put("specials", Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MAX_VALUE}, 2, 2));
        Path file = dir.resolve("rt.safetensors");

        Safetensors.write(file, in, Map.of());
        SafetensorsFile f = Safetensors.read(file);

        assertEquals(List.of("z.weight", "a.bias", "scalar", "empty", "m.conv", "specials"), f.names());
        assertTrue(f.metadata().isEmpty());
        for (var e : in.entrySet()) {
            Tensor got = f.tensor(e.getKey());
            assertEquals("F32", f.dtype(e.getKey()));
            assertArrayEquals(e.getValue().shape(), f.shape(e.getKey()), e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), got.data(), e.getKey()); // bitwise: NaN, -0 included
        }
        assertEquals(0, f.tensor("scalar").rank());
        assertTrue(f.contains("a.bias"));
        assertFalse(f.contains("a.weight"));
    }

    @Test
    void metadataRoundTripsWithEscapesAndUnicode() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("bn_eps", "0.001");
        meta.put("note", "quote \" backslash \\ newline \n tab \t ünïcødé 猫");
        meta.put("empty", "");
        Path file = dir.resolve("meta.safetensors");

        Safetensors.write(file, Map.of("x", Tensor.of(new float[] {1f, 2f}, 2)), meta);

        SafetensorsFile f = Safetensors.read(file);
        assertEquals(meta, f.metadata());
        assertEquals(List.copyOf(meta.keySet()), List.copyOf(f.metadata().keySet()));
        assertEquals(List.of("x"), f.names());
    }

    @Test
    void tinyFileHasTheExpectedBytes() throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Safetensors.write(file, Map.of("a", Tensor.of(new float[] {1f, -2f}, 2)), Map.of());

        // 54 bytes of JSON, padded with 2 spaces to 56 (a multiple of 8), then 1.0f = 0x3F800000 and -2.0f =
        // 0xC0000000, little-endian.
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ";
        byte[] expected = Crafted.concat(
                new byte[] {56, 0, 0, 0, 0, 0, 0, 0},
                json.getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0});
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void metadataGoesFirstInTheHeader() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Safetensors.write(file, Map.of("x", Tensor.of(new float[] {0.5f}, 1)), Map.of("k", "v"));

        byte[] bytes = Files.readAllBytes(file);
        // {"__metadata__":{"k":"v"},"x":{...,"data_offsets":[0,4]}} is 79 bytes, padded to 80.
        assertEquals(8 + 80 + 4, bytes.length);
        assertEquals(80, bytes[0]);
        assertEquals("{\"__metadata__\":{\"k\":\"v\"},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} ",
                new String(bytes, 8, 80, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {0, 0, 0, 0x3F}, java.util.Arrays.copyOfRange(bytes, 88, 92));
    }

    @Test
    void headerIsPaddedToAMultipleOfEight() throws IOException {
        for (int len = 1; len <= 9; len++) {
            Path file = dir.resolve("pad" + len + ".safetensors");
            Safetensors.write(file, Map.of("n".repeat(len), Tensor.of(new float[] {3f}, 1)), Map.of());
            byte[] bytes = Files.readAllBytes(file);
            int headerLength = bytes[0] & 0xff;
            assertEquals(0, headerLength % 8, "name length " + len);
            assertEquals(8 + headerLength + 4, bytes.length);
            assertArrayEquals(new float[] {3f}, Safetensors.read(file).tensor("n".repeat(len)).data());
        }
    }

    @Test
    void int64EntriesRoundTripBesideFloats() throws IOException {
        Map<String, Safetensors.Entry> in = new LinkedHashMap<>();
        in.put("labels", Safetensors.Entry.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, 999, Long.MAX_VALUE, 7}, 2, 3));
        in.put("w", Safetensors.Entry.of(Tensor.of(new float[] {1.5f, -0.25f}, 1, 2)));
        Path file = dir.resolve("mixed.safetensors");

        Safetensors.writeEntries(file, in, Map.of("k", "v"));
        SafetensorsFile f = Safetensors.read(file);

        assertEquals(List.of("labels", "w"), f.names());
        assertEquals("I64", f.dtype("labels"));
        assertArrayEquals(new int[] {2, 3}, f.shape("labels"));
        assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, 999, Long.MAX_VALUE, 7}, f.longs("labels"));
        assertArrayEquals(new float[] {1.5f, -0.25f}, f.tensor("w").data());
        assertEquals(Map.of("k", "v"), f.metadata());
    }

    @Test
    void returnedArraysAreCopies() throws IOException {
        Path file = dir.resolve("copy.safetensors");
        Safetensors.write(file, Map.of("x", Tensor.of(new float[] {1f, 2f}, 2)), Map.of());
        SafetensorsFile f = Safetensors.read(file);

        f.tensor("x").data()[0] = 99f;
        f.shape("x")[0] = 5;

        assertArrayEquals(new float[] {1f, 2f}, f.tensor("x").data());
        assertArrayEquals(new int[] {2}, f.shape("x"));
    }
}
