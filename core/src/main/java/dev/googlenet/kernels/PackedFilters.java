package dev.googlenet.kernels;

import java.util.Objects;

/**
 * A convolution's filters as the A operand [m, k] of its GEMM, packed once for the micro-kernel, as ONNX Runtime
 * packs a Conv's weights when it creates a session. The vector kernels read A a sliver of {@code MR} rows at a
 * time; from the filters' rows that is MR streams {@code k} floats apart at a stride the JIT cannot see, from the
 * packing one stream at a constant stride: sliver s holds, for each k, its MR rows' values side by side (zero rows
 * past m). The sums are the same, in the same order, so results are bit for bit those of the row-major filters.
 *
 * <p>A second packing puts the output channels in the vector lanes ({@link VectorChannelLanes}), for GEMMs of
 * few columns (1×1 convolutions of one 7×7 map).
 *
 * <p>Made by an inference plan for its immutable weights. The row-major filters stay beside the packing: the
 * scalar kernels read them, and with the scalar kernels there is no packing.
 */
public final class PackedFilters {
    private final float[] rows;
    private final int m;
    private final int k;
    /** Whether the packings are made (the vector kernels, filters that never change); each on first use. */
    private final boolean packs;
    private volatile float[] slivers;
    private volatile float[] lanes;

    private PackedFilters(float[] rows, int m, int k, boolean packs) {
        this.rows = rows;
        this.m = m;
        this.k = k;
        this.packs = packs;
    }

    /** The filters {@code rows} ([m, k], row-major, not copied: never change them after) and their packing. */
    public static PackedFilters of(float[] rows, int m, int k) {
        check(rows, m, k);
        return new PackedFilters(rows, m, k, Kernels.VECTOR);
    }

    /** The filters as they are, without a packing: for weights that change between calls (training). */
    public static PackedFilters rowMajor(float[] rows, int m, int k) {
        check(rows, m, k);
        return new PackedFilters(rows, m, k, false);
    }

    private static void check(float[] rows, int m, int k) {
        Objects.requireNonNull(rows, "rows");
        if (m < 1 || k < 1 || (long) m * k > rows.length) {
            throw new IllegalArgumentException("filters [" + m + ", " + k + "] need " + (long) m * k
                    + " values, the array has " + rows.length);
        }
    }

    /** The filters, row-major [m, k]. */
    public float[] rows() {
        return rows;
    }

    /** Rows: output channels. */
    public int m() {
        return m;
    }

    /** Columns: the patch size (input channels × kernel area). */
    public int k() {
        return k;
    }

    /** Whether the kernels read a packing ({@link #slivers}, {@link #lanes}) rather than {@link #rows()}. */
    boolean packed() {
        return packs;
    }

    /**
     * The micro-kernel's packing (see the class comment), made on first use; null when not {@link #packed}: then
     * the kernels read {@link #rows()}. A racing second packing is equal and harmless.
     */
    float[] slivers() {
        float[] p = slivers;
        if (p == null && packs) {
            p = VectorGemm.packSlivers(rows, m, k);
            slivers = p;
        }
        return p;
    }

    /**
     * The channel-lanes packing ({@link VectorChannelLanes#pack}), made on first use; null when not
     * {@link #packed}. Each packing is made only for the shapes that read it: a plan run at batch 1 alone never
     * makes the slivers of its 7×7 layers, nor one at batch 8 their lanes.
     */
    float[] lanes() {
        float[] p = lanes;
        if (p == null && packs) {
            p = VectorChannelLanes.pack(rows, m, k);
            lanes = p;
        }
        return p;
    }
}
