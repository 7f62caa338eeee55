package dev.googlenet.io;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A safetensors file read into memory by {@link Safetensors#read}. Immutable: every header entry was checked when
 * the file was read, and each {@link #tensor}/{@link #longs} call returns a fresh array the caller may change.
 */
public final class SafetensorsFile {
    /** One header entry; offsets are relative to the data section and already checked against it. */
    record Info(Dtype dtype, int[] shape, long begin, long end) {
    }

    private final Path path;
    private final Map<String, String> metadata;
    private final SequencedMap<String, Info> entries;
    private final List<String> names;
    private final byte[] data;

    SafetensorsFile(Path path, SequencedMap<String, String> metadata, SequencedMap<String, Info> entries, byte[] data) {
        this.path = path;
        this.metadata = Collections.unmodifiableSequencedMap(metadata);
        this.entries = entries;
        this.names = List.copyOf(entries.sequencedKeySet());
        this.data = data;
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} strings in file order; empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor names in the order of the header. */
    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The dtype string as in the file, e.g. {@code "F32"} or {@code "I64"}. */
    public String dtype(String name) throws SafetensorsException {
        return info(name).dtype().name();
    }

    public int[] shape(String name) throws SafetensorsException {
        return info(name).shape().clone();
    }

    /** A float32 copy of a floating-point tensor (F32, or F64/F16/BF16 converted). */
    public Tensor tensor(String name) throws SafetensorsException {
        Info info = info(name);
        if (!info.dtype().floating) {
            throw error("tensor '" + name + "' has integer dtype " + info.dtype() + "; read it with longs()");
        }
        ByteBuffer b = bytes(info);
        float[] out = new float[count(info)];
        switch (info.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                DoubleBuffer d = b.asDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) d.get(i);
                }
            }
            case F16 -> {
                ShortBuffer s = b.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(s.get(i));
                }
            }
            case BF16 -> { // bfloat16 is the upper half of a float32
                ShortBuffer s = b.asShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((s.get(i) & 0xffff) << 16);
                }
            }
            default -> throw new AssertionError(info.dtype());
        }
        return Tensor.of(out, info.shape());
    }

    /** The values of an integer or boolean tensor (I64, I32, I16, I8, U64, U32, U16, U8, BOOL) as longs, row-major. */
    public long[] longs(String name) throws SafetensorsException {
        Info info = info(name);
        if (info.dtype().floating) {
            throw error("tensor '" + name + "' has floating-point dtype " + info.dtype() + "; read it with tensor()");
        }
        ByteBuffer b = bytes(info);
        long[] out = new long[count(info)];
        switch (info.dtype()) {
            case I64 -> b.asLongBuffer().get(out);
            case U64 -> {
                b.asLongBuffer().get(out);
                for (int i = 0; i < out.length; i++) {
                    if (out[i] < 0) {
                        throw error("tensor '" + name + "' element " + i + " = " + Long.toUnsignedString(out[i])
                                + " does not fit a signed 64-bit long");
                    }
                }
            }
            case I32, U32 -> {
                IntBuffer s = b.asIntBuffer();
                boolean unsigned = info.dtype() == Dtype.U32;
                for (int i = 0; i < out.length; i++) {
                    out[i] = unsigned ? Integer.toUnsignedLong(s.get(i)) : s.get(i);
                }
            }
            case I16, U16 -> {
                ShortBuffer s = b.asShortBuffer();
                boolean unsigned = info.dtype() == Dtype.U16;
                for (int i = 0; i < out.length; i++) {
                    out[i] = unsigned ? Short.toUnsignedLong(s.get(i)) : s.get(i);
                }
            }
            case I8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i);
                }
            }
            case U8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Byte.toUnsignedLong(b.get(i));
                }
            }
            case BOOL -> { // one byte each; any non-zero byte counts as true
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.get(i) != 0 ? 1 : 0;
                }
            }
            default -> throw new AssertionError(info.dtype());
        }
        return out;
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + SafetensorsException.label(path) + ", " + names.size() + " tensors]";
    }

    private Info info(String name) throws SafetensorsException {
        Info info = entries.get(name);
        if (info == null) {
            throw error("tensor '" + name + "' not found; " + suggestions(name));
        }
        return info;
    }

    /** Up to five names, those sharing the longest prefix with the missing one first, so typos are easy to see. */
    private String suggestions(String missing) {
        if (names.isEmpty()) {
            return "the file holds no tensors";
        }
        List<String> close = names.stream()
                .sorted(Comparator.comparingInt((String n) -> -commonPrefix(n, missing)))
                .limit(5)
                .map(n -> "'" + n + "'")
                .toList();
        return "the file holds " + names.size() + " tensors, e.g. " + String.join(", ", close)
                + (names.size() > close.size() ? ", ..." : "");
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    private ByteBuffer bytes(Info info) {
        // The reader checked that the range lies inside the data section, which is smaller than 2 GiB.
        return ByteBuffer.wrap(data).slice((int) info.begin(), (int) (info.end() - info.begin()))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int count(Info info) {
        return Math.toIntExact(Shape.size(info.shape()));
    }

    private SafetensorsException error(String problem) {
        return new SafetensorsException(path, problem);
    }
}
