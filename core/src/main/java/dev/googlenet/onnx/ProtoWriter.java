package dev.googlenet.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes the protobuf wire format into a growable buffer; embedded messages are written by nested writers. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    byte[] toByteArray() {
        return out.toByteArray();
    }

    int size() {
        return out.size();
    }

    private void key(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    private void varint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    ProtoWriter int64(int field, long v) {
        key(field, ProtoReader.VARINT);
        varint(v);
        return this;
    }

    ProtoWriter float32(int field, float v) {
        key(field, ProtoReader.FIXED32);
        byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
        out.write(b, 0, 4);
        return this;
    }

    ProtoWriter bytes(int field, byte[] b) {
        key(field, ProtoReader.LEN);
        varint(b.length);
        out.write(b, 0, b.length);
        return this;
    }

    ProtoWriter string(int field, String s) {
        return bytes(field, s.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter m) {
        key(field, ProtoReader.LEN);
        varint(m.out.size());
        this.out.write(m.out.toByteArray(), 0, m.out.size());
        return this;
    }

    /** A packed repeated int64 field. */
    ProtoWriter packedInt64(int field, long[] v) {
        ProtoWriter p = new ProtoWriter();
        for (long x : v) {
            p.varint(x);
        }
        key(field, ProtoReader.LEN);
        varint(p.out.size());
        this.out.write(p.out.toByteArray(), 0, p.out.size());
        return this;
    }

    /** A packed repeated float field. */
    ProtoWriter packedFloat(int field, float[] v) {
        ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            bb.putFloat(x);
        }
        return bytes(field, bb.array());
    }
}
