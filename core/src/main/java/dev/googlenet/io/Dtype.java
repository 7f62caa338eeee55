package dev.googlenet.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The safetensors element types this reader understands; the constant names are the dtype strings of the format. */
enum Dtype {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false),
    U64(8, false), U32(4, false), U16(2, false), U8(1, false), BOOL(1, false);

    final int bytes;
    /** Read with {@code tensor()} as float32; otherwise read with {@code longs()}. */
    final boolean floating;

    Dtype(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The dtype named {@code s}, or null. */
    static Dtype parse(String s) {
        for (Dtype d : values()) {
            if (d.name().equals(s)) {
                return d;
            }
        }
        return null;
    }

    static String known() {
        return Arrays.stream(values()).map(Dtype::name).collect(Collectors.joining(", "));
    }
}
