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
}
