package dev.googlenet.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading each dtype the writer does not produce, from crafted files. */
class SafetensorsDtypeTest {
    @TempDir
    Path dir;

    private SafetensorsFile one(String dtype, ByteBuffer data, int count) throws IOException {
        byte[] bytes = data.array();
        Path p = Crafted.file(dir, dtype + ".safetensors",
                Crafted.entry("t", dtype, "[" + count + "]", 0, bytes.length), bytes);
        SafetensorsFile f = Safetensors.read(p);
        assertEquals(dtype, f.dtype("t"));
        return f;
    }

    @Test
    void f16() throws IOException {
        // 1.0, -2.0, 0.5, 65504 (largest half), 2^-24 (smallest subnormal half)
        ByteBuffer b = Crafted.buffer(10).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3800)
                .putShort((short) 0x7BFF).putShort((short) 0x0001);
        assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f, 0x1p-24f}, one("F16", b, 5).tensor("t").data());
    }

    @Test
    void bf16() throws IOException {
        // bfloat16 is the upper half of a float32: 0x3F80 = 1.0, 0xC020 = -2.5, 0x7F80 = +inf
        ByteBuffer b = Crafted.buffer(6).putShort((short) 0x3F80).putShort((short) 0xC020).putShort((short) 0x7F80);
        assertArrayEquals(new float[] {1f, -2.5f, Float.POSITIVE_INFINITY}, one("BF16", b, 3).tensor("t").data());
    }

    @Test
    void f64() throws IOException {
        ByteBuffer b = Crafted.buffer(16).putDouble(0.1).putDouble(-1e300);
        assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, one("F64", b, 2).tensor("t").data());
    }

    @Test
    void signedIntegers() throws IOException {
        assertArrayEquals(new long[] {-5, Integer.MAX_VALUE},
                one("I32", Crafted.buffer(8).putInt(-5).putInt(Integer.MAX_VALUE), 2).longs("t"));
        assertArrayEquals(new long[] {-3, 300},
                one("I16", Crafted.buffer(4).putShort((short) -3).putShort((short) 300), 2).longs("t"));
        assertArrayEquals(new long[] {-128, 127},
                one("I8", Crafted.buffer(2).put((byte) -128).put((byte) 127), 2).longs("t"));
    }

    @Test
    void unsignedIntegersAndBool() throws IOException {
        assertArrayEquals(new long[] {255, 1},
                one("U8", Crafted.buffer(2).put((byte) 0xFF).put((byte) 1), 2).longs("t"));
        assertArrayEquals(new long[] {65535}, one("U16", Crafted.buffer(2).putShort((short) -1), 1).longs("t"));
        assertArrayEquals(new long[] {4294967295L}, one("U32", Crafted.buffer(4).putInt(-1), 1).longs("t"));
        assertArrayEquals(new long[] {5}, one("U64", Crafted.buffer(8).putLong(5), 1).longs("t"));
        assertArrayEquals(new long[] {0, 1, 1},
                one("BOOL", Crafted.buffer(3).put((byte) 0).put((byte) 1).put((byte) 2), 3).longs("t"));
    }

    @Test
    void u64AboveLongRangeIsRefused() throws IOException {
        SafetensorsFile f = one("U64", Crafted.buffer(16).putLong(1).putLong(-1), 2);
        var e = assertThrows(SafetensorsException.class, () -> f.longs("t"));
        assertTrue(e.getMessage().startsWith("U64.safetensors: tensor 't' element 1 = 18446744073709551615"),
                e.getMessage());
    }
}
