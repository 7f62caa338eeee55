package dev.googlenet.kernels;

/** The plain reference GEMM: obviously correct loops, accumulated in float like the fast kernels. */
public final class ScalarGemm implements Gemm {

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int cRow = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, cRow, cRow + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[cRow + j] *= beta;
                }
            }
            for (int p = 0; p < k; p++) {
                float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                if (aip == 0f) {
                    continue;
                }
                if (!transB) {
                    int bRow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bRow + j];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] += aip * b[bOff + j * ldb + p];
                    }
                }
            }
        }
    }
}
