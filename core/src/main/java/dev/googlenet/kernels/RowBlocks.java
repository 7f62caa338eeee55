package dev.googlenet.kernels;

import java.util.Objects;

/**
 * Where the rows of a convolution's GEMM land, and what is done to them there: row block b (rows
 * {@code [first[b], first[b+1])}, the last running to the end) goes to {@code out[b]} from {@code offset[b]}, rows
 * {@code ldc} apart; then row i gets {@code bias[i]} (when bias is not null) and, with {@code relu}, is clamped at
 * zero. Inception's stacked 1×1 convolutions are one GEMM whose rows go to branch 1's slice of the module's output
 * and to the two reductions' buffers: one GEMM reads the input once, and its merge does the epilogue while the
 * tile is in registers, on the thread that computed it.
 */
public record RowBlocks(float[][] out, int[] offset, int[] first, int ldc, float[] bias, boolean relu) {
    public RowBlocks {
        Objects.requireNonNull(out, "out");
        if (out.length == 0 || offset.length != out.length || first.length != out.length || first[0] != 0) {
            throw new IllegalArgumentException("row blocks need one offset and one first row per block, from row 0");
        }
        for (int b = 1; b < first.length; b++) {
            if (first[b] < first[b - 1]) {
                throw new IllegalArgumentException("row blocks must be in row order");
            }
        }
    }

    /** One block: all rows to {@code out} from {@code offset}. */
    public static RowBlocks of(float[] out, int offset, int ldc, float[] bias, boolean relu) {
        return new RowBlocks(new float[][] {out}, new int[] {offset}, new int[] {0}, ldc, bias, relu);
    }

    /** The block holding row {@code i} (there are a few blocks: a linear scan). */
    int block(int i) {
        int b = first.length - 1;
        while (first[b] > i) {
            b--;
        }
        return b;
    }

    /** The index of row {@code i}'s first element in its block's array. */
    int rowStart(int b, int i) {
        return offset[b] + (i - first[b]) * ldc;
    }
}
