package dev.googlenet.kernels;

/**
 * Single-precision matrix multiply on row-major matrices:
 * {@code C[m,n] = beta * C + op(A)[m,k] * op(B)[k,n]}, where {@code op(A)} is A or its transpose.
 * {@code lda/ldb/ldc} are the row strides of the stored matrices (A is stored [k,m] when transposed).
 * {@code beta} is 0 (overwrite; C's old contents are ignored, even NaN) or 1 (accumulate), or any scale.
 */
public interface Gemm {
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /**
     * A convolution's GEMM with its epilogue: {@code C = A·B} (neither transposed, C overwritten) with C's rows
     * placed, biased and clamped as {@code rows} says. Bit for bit {@link #sgemm} per row block followed by
     * {@link Epilogue#biasRelu}, which is what this default does; a GEMM may fuse it.
     */
    default void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       RowBlocks rows) {
        int blocks = rows.out().length;
        for (int blk = 0; blk < blocks; blk++) {
            int r0 = Math.min(m, rows.first()[blk]);
            int r1 = blk + 1 < blocks ? Math.min(m, rows.first()[blk + 1]) : m;
            if (r0 >= r1) {
                continue;
            }
            float[] c = rows.out()[blk];
            sgemm(false, false, r1 - r0, n, k, a, aOff + r0 * lda, lda, b, bOff, ldb, 0f, c, rows.rowStart(blk, r0),
                    rows.ldc());
            for (int r = r0; r < r1; r++) {
                Epilogue.biasRelu(c, rows.rowStart(blk, r), 1, n, rows.bias(), r, rows.relu());
            }
        }
    }

    /**
     * {@link #sgemm(int, int, int, float[], int, int, float[], int, int, RowBlocks)} with A the packed filters
     * {@code a} ([a.m(), a.k()]): bit for bit the same as with their rows, which is what this default uses; a GEMM
     * may read the packing instead.
     */
    default void sgemm(PackedFilters a, int n, float[] b, int bOff, int ldb, RowBlocks rows) {
        sgemm(a.m(), n, a.k(), a.rows(), 0, a.k(), b, bOff, ldb, rows);
    }
}
