package dev.googlenet.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format from a byte array, within [pos, limit). Every length is checked against what is
 * left before anything is allocated, and errors name the source and the message/field being read.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int limit;
    private final String source;
    private final String where;
    private int lastField;

    ProtoReader(byte[] buf, int pos, int limit, String source, String where) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
        this.source = source;
        this.where = where;
    }

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    String source() {
        return source;
    }

    String where() {
        return where;
    }

    boolean hasMore() {
        return pos < limit;
    }

    OnnxException error(String problem) {
        return new OnnxException(source, where + ": " + problem);
    }

    /** Reads a field key; returns it (field number {@code key >>> 3}, wire type {@code key & 7}). */
    int readKey() throws OnnxException {
        long key = readVarint();
        if (key <= 0 || key > Integer.MAX_VALUE || (key >>> 3) == 0) {
            throw error("malformed field key " + key + " at byte " + pos + " (not a protobuf message?)");
        }
        lastField = (int) (key >>> 3);
        return (int) key;
    }

    long readVarint() throws OnnxException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= limit) {
                throw error("truncated: varint runs past the end at byte " + pos);
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error("malformed varint at byte " + pos);
    }

    int readInt32() throws OnnxException {
        return (int) readVarint();
    }

    /** A length prefix, checked against the bytes left. */
    int readLength() throws OnnxException {
        return readLength("field " + lastField);
    }

    private int readLength(String what) throws OnnxException {
        long n = readVarint();
        if (n < 0 || n > limit - pos) {
            throw error("truncated: " + what + " at byte " + pos + " declares " + n + " bytes, only "
                    + (limit - pos) + " left (file cut short?)");
        }
        return (int) n;
    }

    /** A length-delimited embedded message, as its own reader; this reader moves past it. */
    ProtoReader readMessage(String what) throws OnnxException {
        int n = readLength(what + " (field " + lastField + ")");
        ProtoReader sub = new ProtoReader(buf, pos, pos + n, source, where.isEmpty() ? what : where + "." + what);
        pos += n;
        return sub;
    }

    /** Skips a length-delimited field and returns its offset in the buffer (its length via {@link #lastLength}). */
    int skipBytes() throws OnnxException {
        int n = readLength();
        int start = pos;
        pos += n;
        lastLength = n;
        return start;
    }

    private int lastLength;

    int lastLength() {
        return lastLength;
    }

    byte[] readBytes() throws OnnxException {
        int n = readLength();
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    String readString() throws OnnxException {
        int n = readLength();
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    float readFloat() throws OnnxException {
        need(4);
        float f = ByteBuffer.wrap(buf, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        pos += 4;
        return f;
    }

    double readDouble() throws OnnxException {
        need(8);
        double d = ByteBuffer.wrap(buf, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getDouble();
        pos += 8;
        return d;
    }

    private void need(int n) throws OnnxException {
        if (limit - pos < n) {
            throw error("truncated: field " + lastField + " needs " + n + " bytes at byte " + pos + ", only "
                    + (limit - pos) + " left");
        }
    }

    /** Skips a field of the given wire type (unknown fields are allowed by protobuf). */
    void skip(int wireType) throws OnnxException {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                need(8);
                pos += 8;
            }
            case LEN -> skipBytes();
            case FIXED32 -> {
                need(4);
                pos += 4;
            }
            default -> throw error("unsupported wire type " + wireType + " for field " + lastField + " at byte " + pos);
        }
    }

    /** Appends a repeated int64/int32 field, packed or not. */
    void readLongs(int wireType, LongList into) throws OnnxException {
        if (wireType == VARINT) {
            into.add(readVarint());
        } else if (wireType == LEN) {
            int n = readLength();
            int end = pos + n;
            ProtoReader packed = new ProtoReader(buf, pos, end, source, where);
            while (packed.hasMore()) {
                into.add(packed.readVarint());
            }
            pos = end;
        } else {
            throw error("field " + lastField + ": expected integers, wire type " + wireType);
        }
    }

    /** Appends a repeated float field, packed or not. */
    void readFloats(int wireType, FloatList into) throws OnnxException {
        if (wireType == FIXED32) {
            into.add(readFloat());
        } else if (wireType == LEN) {
            int n = readLength();
            if (n % 4 != 0) {
                throw error("packed floats of field " + lastField + ": " + n + " bytes is not a multiple of 4");
            }
            into.ensure(n / 4);
            ByteBuffer bb = ByteBuffer.wrap(buf, pos, n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n / 4; i++) {
                into.add(bb.getFloat());
            }
            pos += n;
        } else {
            throw error("field " + lastField + ": expected floats, wire type " + wireType);
        }
    }

    /** Appends a repeated double field, packed or not. */
    void readDoubles(int wireType, FloatList into) throws OnnxException {
        if (wireType == FIXED64) {
            into.add((float) readDouble());
        } else if (wireType == LEN) {
            int n = readLength();
            if (n % 8 != 0) {
                throw error("packed doubles of field " + lastField + ": " + n + " bytes is not a multiple of 8");
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, pos, n).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n / 8; i++) {
                into.add((float) bb.getDouble());
            }
            pos += n;
        } else {
            throw error("field " + lastField + ": expected doubles, wire type " + wireType);
        }
    }

    /** A growable long array. */
    static final class LongList {
        private long[] a = new long[8];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    /** A growable float array. */
    static final class FloatList {
        private float[] a = new float[8];
        private int n;

        void ensure(int more) {
            if (n + more > a.length) {
                a = java.util.Arrays.copyOf(a, Math.max(n + more, a.length * 2));
            }
        }

        void add(float v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
