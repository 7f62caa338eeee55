package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Multi-threaded SGEMM on the Vector API, for the shapes convolution-as-GEMM produces (M = output channels,
 * N = pixels, K = input patch size) in all four transpose combinations.
 *
 * <p>Structure (after the BLIS/GotoBLAS scheme):
 * <ul>
 *   <li><b>Threading</b>: C is cut into rectangles of whole micro-tiles, several per thread, run by
 *       {@link Parallel}. The k-sum of an element is never split, and every element is summed in the same order
 *       whatever the tiling, so results are bitwise identical for any thread count.</li>
 *   <li><b>Blocking</b>: per task, columns in blocks of NC and k in blocks of at most KC; within a block, panels
 *       of NR = 4 vectors (outer) meet row slivers of MR = 6 (inner). A is read in place through a (row, k)
 *       stride pair, so transposed A costs nothing extra.</li>
 *   <li><b>Packing</b>: whole panels of a non-transposed B are read in place; the last, partial panel is copied
 *       into a zero-padded per-thread buffer so the kernels never need masks. Transposed B is packed into panels
 *       with 16 x 16 in-register transposes.</li>
 *   <li><b>Micro-kernel</b>: 6 rows x 4 vectors (6 x 64 floats with 512-bit vectors) of accumulators in
 *       registers; 3/2/1-vector variants cover the last panel. The tile is then merged into C with beta, using
 *       masked loads/stores for the last partial vector and skipping rows past M. A convolution's GEMM
 *       ({@link #sgemm(int, int, int, float[], int, int, float[], int, int, RowBlocks)}) merges into its output
 *       rows instead, adding the bias and clamping in the last k block.</li>
 *   <li><b>Dot path</b>: A B^T with tiny M or long K (Linear layers, weight gradients) is computed as dot
 *       products of rows, which are contiguous in both operands, instead of transposing B.</li>
 * </ul>
 * Scratch buffers are per thread and reused, so steady-state calls allocate only the task closure.
 *
 * <p>JIT note: Vector API code is only fast once C2 compiles it. Accumulators start from a local zero (a static
 * constant vector blocks C2's box elimination: 20x slower), and masked operations are kept out of the big
 * kernels (C1 ran out of registers on such methods, and a method C1 gives up on may never reach C2).
 */
public final class VectorGemm implements Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    /** Micro-tile rows: 6 rows x 4 vectors = 24 accumulators, leaving registers for 4 B vectors and A. */
    static final int MR = 6;
    /** Vectors per full-width panel. */
    static final int NV = 4;
    static final int NR = NV * VL;
    /** k block: bounds the B panel (KC x NR) and the 6 x KC sliver of A that each kernel call streams. */
    static final int KC = 256;
    /**
     * k block when B is read in place (not transposed): no pack buffer bounds it, and every further k block merges
     * each tile into C once more. Inception's 1×1 GEMMs on one image (K 480-832, N 49-196) ran 6-12% faster on
     * two threads in one block than in blocks of 256 (measured alternating, docs in the README).
     */
    static final int KC_IN_PLACE = 1024;
    /** Column block: a packed (transposed) KC x NC block of B, 512 KB, stays in L2. A multiple of NR. */
    static final int NC = Math.max(1, 512 / NR) * NR;
    /**
     * With transB (and A not transposed), C is computed as dot products instead of transposing B into panels when
     * M is tiny or K is long next to M: then the transpose costs more than the dot path's final lane sums.
     * Measured crossover: M=64 K=3136 favours dots, M=192 K=3136 and M=128 K=784 favour panels.
     */
    private static boolean useDots(int m, int k) {
        return m <= 4 || k >= 32L * m;
    }
    /** Below this many multiply-adds a task is not worth handing to another thread (~10 us of one core). */
    private static final long MIN_TASK_WORK = 1L << 19;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final Parallel pool;
    /**
     * This instance's k block (at most) for packed B and for B read in place, and its column block: {@link #KC},
     * {@link #KC_IN_PLACE} and {@link #NC} but for tuning and tests.
     */
    private final int kcLimit;
    private final int kcInPlaceLimit;
    private final int ncBlock;

    /** Uses the engine's thread pool ({@link Parallel#get()}). */
    public VectorGemm() {
        this(null, KC, KC_IN_PLACE, NC);
    }

    /** Uses the given pool (a one-thread pool makes it single-threaded). */
    public VectorGemm(Parallel pool) {
        this(java.util.Objects.requireNonNull(pool), KC, KC_IN_PLACE, NC);
    }

    /**
     * Other blocking than {@link #KC} and {@link #NC}, for tuning runs and for tests of the block edges: a k block
     * of at most {@code kc} (packed or in place) and column blocks of {@code nc} (a positive multiple of
     * {@link #NR}). {@code pool} null means the engine's.
     */
    VectorGemm(Parallel pool, int kc, int nc) {
        if (kc < 1 || nc < NR || nc % NR != 0) {
            throw new IllegalArgumentException("VectorGemm blocking: kc must be >= 1 and nc a positive multiple of "
                    + NR + ", not kc=" + kc + " nc=" + nc);
        }
        this(pool, kc, kc, nc);
    }

    private VectorGemm(Parallel pool, int kc, int kcInPlace, int nc) {
        this.pool = pool;
        this.kcLimit = kc;
        this.kcInPlaceLimit = kcInPlace;
        this.ncBlock = nc;
    }

    /** The engine's GEMM, for {@link Kernels} (which must not name this class in a signature). */
    static Gemm engine() {
        return new VectorGemm();
    }

    /** {@link #VectorGemm(Parallel)} as a {@link Gemm}, for {@link Kernels#gemm(Parallel)}. */
    static Gemm on(Parallel pool) {
        return new VectorGemm(pool);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size m=" + m + " n=" + n + " k=" + k);
        }
        // Rows must not overlap (as BLAS requires); the arrays' bounds are checked by every access.
        if (m > 1 && ldc < n || (transA ? k > 1 && lda < m : m > 1 && lda < k)
                || (transB ? n > 1 && ldb < k : k > 1 && ldb < n)) {
            throw new IllegalArgumentException("leading dimension too small: lda=" + lda + " ldb=" + ldb
                    + " ldc=" + ldc + " for m=" + m + " n=" + n + " k=" + k + " transA=" + transA
                    + " transB=" + transB);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scaleC(m, n, beta, c, cOff, ldc);
            return;
        }
        Parallel p = pool != null ? pool : Parallel.get();
        if (transB && !transA && useDots(m, k)) {
            dotProducts(p, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        inRectangles(p, m, n, k, (m0, m1, n0, n1) -> compute(transA, transB, m0, m1, n0, n1, k, a, aOff, lda, b,
                bOff, ldb, beta, c, cOff, ldc, null, transB ? kcLimit : kcInPlaceLimit, ncBlock, null));
    }

    /**
     * The convolution GEMM with its epilogue fused: the last k block's merge places each row, adds its bias and
     * clamps it, on the thread that computed the tile (bit for bit the default's sgemm + {@link Epilogue}).
     */
    @Override
    public void sgemm(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      RowBlocks rows) {
        convolutionGemm(m, n, k, a, aOff, lda, null, b, bOff, ldb, rows);
    }

    /**
     * The convolution GEMM on packed filters: their slivers are read instead of their rows, or, for B of at most
     * {@link #LANES_MAX_COLUMNS} columns, their channel-lanes packing (same sums either way).
     */
    @Override
    public void sgemm(PackedFilters a, int n, float[] b, int bOff, int ldb, RowBlocks rows) {
        // one k block, so that both kernels sum alike (the bits do not depend on which one ran)
        if (a.packed() && n > 0 && n <= LANES_MAX_COLUMNS && a.k() <= kcInPlaceLimit) {
            channelLanes(a, n, b, bOff, ldb, rows);
            return;
        }
        convolutionGemm(a.m(), n, a.k(), a.rows(), 0, a.k(), a.slivers(), b, bOff, ldb, rows);
    }

    /**
     * Widest B that the packed convolution GEMM runs with channels in the lanes ({@link VectorChannelLanes}): a 1×1
     * convolution of one 7×7 map (49 columns), where pixels in the lanes fill a 64-wide panel to three quarters.
     * Measured on the whole batch-1 plan, alternating in one process: 1.016× with it (the 7×7 GEMMs alone 1.24-1.50×
     * faster); extending it to 14×14 maps (196 columns) made the plan 3% slower (README, Benchmarks).
     */
    static final int LANES_MAX_COLUMNS = 64;

    /** C = A·B by {@link VectorChannelLanes}, channel blocks split among the pool's threads. */
    private void channelLanes(PackedFilters a, int n, float[] b, int bOff, int ldb, RowBlocks rows) {
        int m = a.m(), k = a.k();
        float[] lanes = a.lanes();
        int blocks = Math.ceilDiv(m, VectorChannelLanes.CB);
        Parallel p = pool != null ? pool : Parallel.get();
        int tasks = Math.min(blocks, p.tasksFor((long) m * n * k, MIN_TASK_WORK));
        if (tasks <= 1) {
            VectorChannelLanes.compute(m, k, lanes, b, bOff, ldb, rows, 0, blocks, 0, n);
            return;
        }
        p.parallelFor(tasks, t -> VectorChannelLanes.compute(m, k, lanes, b, bOff, ldb, rows,
                (int) ((long) blocks * t / tasks), (int) ((long) blocks * (t + 1) / tasks), 0, n));
    }

    /** Both convolution GEMMs: A's rows, or its {@link #packSlivers packing} when {@code slivers} is not null. */
    private void convolutionGemm(int m, int n, int k, float[] a, int aOff, int lda, float[] slivers, float[] b,
                                 int bOff, int ldb, RowBlocks rows) {
        if (m < 0 || n < 0 || k < 1 || m > 1 && lda < k || k > 1 && ldb < n || m > 1 && rows.ldc() < n) {
            throw new IllegalArgumentException("sgemm with row blocks: m=" + m + " n=" + n + " k=" + k + " lda="
                    + lda + " ldb=" + ldb + " ldc=" + rows.ldc());
        }
        if (m == 0 || n == 0) {
            return;
        }
        inRectangles(pool != null ? pool : Parallel.get(), m, n, k, (m0, m1, n0, n1) -> compute(false, false, m0,
                m1, n0, n1, k, a, aOff, lda, b, bOff, ldb, 0f, null, 0, 0, rows, kcInPlaceLimit, ncBlock, slivers));
    }

    /**
     * A [m, k] (row-major) packed for the micro-kernel: sliver s (rows s·MR ..) at {@code s·MR·k}, each k's MR
     * values side by side, zeros for rows past m ({@link PackedFilters}).
     */
    static float[] packSlivers(float[] a, int m, int k) {
        int slivers = (m + MR - 1) / MR;
        float[] p = new float[slivers * MR * k];
        for (int i = 0; i < m; i++) {
            int base = i / MR * MR * k + i % MR;
            for (int q = 0, src = i * k; q < k; q++) {
                p[base + q * MR] = a[src + q];
            }
        }
        return p;
    }

    /** A rectangle {@code [m0, m1) × [n0, n1)} of C, computed by one task. */
    private interface Rectangle {
        void compute(int m0, int m1, int n0, int n1);
    }

    /**
     * Cuts an m×n C into rectangles of whole micro-tiles, as many as {@link Parallel#tasksFor} says the work is
     * worth, and computes them on the pool (inline when one).
     */
    private static void inRectangles(Parallel p, int m, int n, int k, Rectangle body) {
        int slivers = (m + MR - 1) / MR;
        int panels = (n + NR - 1) / NR;
        int tasks = p.tasksFor((long) m * n * k, MIN_TASK_WORK);
        if (tasks <= 1) {
            body.compute(0, m, 0, n);
            return;
        }
        // Prefer cutting columns: each task then packs only its own part of B. Cut rows only when N is narrow.
        int tn = Math.min(tasks, panels);
        int tm = Math.min(slivers, (tasks + tn - 1) / tn);
        p.parallelFor(tm * tn, t -> {
            int ti = t / tn;
            int tj = t % tn;
            int m0 = Math.min(m, (int) ((long) slivers * ti / tm) * MR);
            int m1 = Math.min(m, (int) ((long) slivers * (ti + 1) / tm) * MR);
            int n0 = Math.min(n, (int) ((long) panels * tj / tn) * NR);
            int n1 = Math.min(n, (int) ((long) panels * (tj + 1) / tn) * NR);
            if (m0 < m1 && n0 < n1) {
                body.compute(m0, m1, n0, n1);
            }
        });
    }

    /** A B^T as dot products of rows (see {@link #dot4x4}), columns split among tasks. */
    private static void dotProducts(Parallel p, int m, int n, int k, float[] a, int aOff, int lda,
                                    float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        int groups = (n + 3) / 4;
        long work = (long) m * n * k;
        // With a row or few (a Linear layer on one image) each weight is read from memory for one to four
        // multiply-adds: the work is bound by memory, not arithmetic, and worth splitting at a smaller size.
        int tasks = Math.min(groups, p.tasksFor(work, m <= 4 ? MIN_TASK_WORK / 8 : MIN_TASK_WORK));
        p.parallelFor(tasks, t -> {
            int j0 = (int) ((long) groups * t / tasks) * 4;
            int j1 = Math.min(n, (int) ((long) groups * (t + 1) / tasks) * 4);
            float[] tile = SCRATCH.get().tile;
            for (int j = j0; j < j1; j += 4) {
                for (int i = 0; i < m; i += 4) {
                    dot4x4(k, a, aOff + i * lda, lda, Math.min(4, m - i), b, bOff + j * ldb, ldb, Math.min(4, j1 - j),
                            beta, c, cOff + i * ldc + j, ldc, tile);
                }
            }
        });
    }

    /**
     * C[m0:m1, n0:n1] = beta*C + op(A) op(B) over the whole k range, on the calling thread, in k blocks of at most
     * {@code kcLimit} (fixed by k and whether B is transposed, so every tiling sums in the same order) and column
     * blocks of {@code ncBlock}. With {@code rows} (then c is unused) C's rows go where
     * it says, and the last k block's merge adds their bias and clamps them.
     */
    private static void compute(boolean transA, boolean transB, int m0, int m1, int n0, int n1, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float beta, float[] c, int cOff, int ldc, RowBlocks rows, int kcLimit,
                                int ncBlock, float[] slivers) {
        Scratch s = SCRATCH.get();
        // Equal k blocks (not KC + a small rest) keep the per-tile merge cost low; fixed by k alone.
        int kBlocks = (k + kcLimit - 1) / kcLimit;
        int kcMax = (k + kBlocks - 1) / kBlocks;
        // Whole panels of a non-transposed B are read in place: measured as fast as packed panels for large M,
        // and much faster for small M, where a packed panel would serve only a few row slivers.
        boolean packAll = transB || m1 - m0 > 2 * MR && thrashesL1(ldb, kcMax);
        // in place, only the last partial panel (fewer than NR columns) is packed
        float[] bp = s.packBuffer(kcMax * Math.min(packAll ? ncBlock : NR, roundUp(n1 - n0, VL)));
        float[] tile = s.tile;
        for (int jc = n0; jc < n1; jc += ncBlock) {
            int nc = Math.min(ncBlock, n1 - jc);
            int inPlace = packAll ? 0 : nc / NR * NR;
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                if (inPlace == nc) {
                    // nothing to pack
                } else if (!transB) {
                    packB(b, bOff, ldb, pc, kc, jc + inPlace, nc - inPlace, bp);
                } else if (VL == 16) {
                    packBTransposed16(b, bOff, ldb, pc, kc, jc, nc, bp, s);
                } else {
                    packBTransposed(b, bOff, ldb, pc, kc, jc, nc, bp, s);
                }
                float blockBeta = pc == 0 ? beta : 1f;
                for (int jr = 0; jr < nc; jr += NR) {
                    int nr = Math.min(NR, nc - jr);
                    float[] panel = jr < inPlace ? b : bp;
                    int bBase = jr < inPlace ? bOff + pc * ldb + jc + jr : (jr - inPlace) * kc;
                    int bs = jr < inPlace ? ldb : roundUp(nr, VL);
                    for (int ic = m0; ic < m1; ic += MR) {
                        int mr = Math.min(MR, m1 - ic);
                        // op(A)[ic + r, pc + p] lives at a[aBase + r*rs + p*cs].
                        int vectors = (nr + VL - 1) / VL;
                        if (slivers != null) {
                            // packed A: sliver ic / MR, k from pc, MR values per k
                            int sBase = ic * k + pc * MR;
                            switch (vectors) {
                                case 4 -> kernel4Packed(kc, slivers, sBase, panel, bBase, bs, tile);
                                case 3 -> kernel3(kc, slivers, sBase, 1, MR, mr, panel, bBase, bs, tile);
                                case 2 -> kernel2(kc, slivers, sBase, 1, MR, mr, panel, bBase, bs, tile);
                                default -> kernel1(kc, slivers, sBase, 1, MR, mr, panel, bBase, bs, tile);
                            }
                        } else {
                            int aBase = transA ? aOff + pc * lda + ic : aOff + ic * lda + pc;
                            int rs = transA ? 1 : lda;
                            int cs = transA ? lda : 1;
                            switch (vectors) {
                                case 4 -> kernel4(kc, a, aBase, rs, cs, mr, panel, bBase, bs, tile);
                                case 3 -> kernel3(kc, a, aBase, rs, cs, mr, panel, bBase, bs, tile);
                                case 2 -> kernel2(kc, a, aBase, rs, cs, mr, panel, bBase, bs, tile);
                                default -> kernel1(kc, a, aBase, rs, cs, mr, panel, bBase, bs, tile);
                            }
                        }
                        if (rows == null) {
                            merge(tile, mr, nr, blockBeta, c, cOff + ic * ldc + jc + jr, ldc);
                        } else {
                            mergeRows(tile, mr, nr, blockBeta == 0f, rows, ic, jc + jr, pc + kc == k);
                        }
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- packing

    /**
     * Whether a B panel read in place (kc rows of 4 vectors, row stride ldb) would thrash L1 while a packed one
     * would not. Rows ldb*4 bytes apart start in only 4096/gcd(ldb*4, 4096) of the 64 sets of a 32 KB 8-way L1;
     * with ldb = 12544 (112x112 images) that is 4 sets, so every row sliver refetches the panel from L2. A packed
     * panel fits L1 for kc up to 96. Measured: conv1's input gradient (K=64, ldb=12544) 75 -> 90 GFLOP/s packed;
     * with K=147 or ldb=3136 in place stays as fast or faster.
     */
    static boolean thrashesL1(int ldb, int kc) {
        if (kc > 96) {
            return false; // a packed panel would not stay in L1 either
        }
        long bytes = 4L * ldb;
        int align = (int) Math.min(4096, Long.lowestOneBit(bytes));
        if (align < 64) {
            return false; // rows start at varying offsets within lines: spread over all sets
        }
        int setsUsed = Math.min(64, 4096 / align * (NR * 4 / 64 + 1)); // each row spans 4-5 lines
        return (long) kc * (NR * 4 / 64 + 1) > 8L * setsUsed;
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] (B stored [k, n]) into panels of NR columns: panel q holds
     * {@code [kc][w]} at {@code bp[q*NR*kc]}, w = its width rounded up to whole vectors, the padding zeroed.
     * Used for the last, partial panel (whole panels are read in place).
     */
    static void packB(float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp) {
        for (int q = 0; q < nc; q += NR) {
            int w = Math.min(NR, nc - q);
            int full = w / VL * VL;
            int width = roundUp(w, VL);
            int src = bOff + pc * ldb + jc + q;
            int dst = q * kc;
            VectorMask<Float> tail = S.indexInRange(full, w);
            for (int p = 0; p < kc; p++, src += ldb, dst += width) {
                for (int j = 0; j < full; j += VL) {
                    FloatVector.fromArray(S, b, src + j).intoArray(bp, dst + j);
                }
                if (full < w) {
                    FloatVector.fromArray(S, b, src + full, tail).intoArray(bp, dst + full);
                }
            }
        }
    }

    /**
     * As {@link #packB} for B stored transposed ([n, k]), each packed vector a strided gather: the fallback for
     * vector sizes other than 16 floats.
     */
    static void packBTransposed(float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp,
                                Scratch s) {
        int full = nc / VL * VL;
        int rest = nc - full;
        int[] idx = s.gatherIndex(ldb, VL);
        for (int j = 0; j < full; j += VL) {
            int src = bOff + (jc + j) * ldb + pc;
            for (int p = 0; p < kc; p++) {
                FloatVector.fromArray(S, b, src + p, idx, 0).intoArray(bp, dst(j, p, kc, nc));
            }
        }
        if (rest > 0) {
            // The index map is bounds-checked in every lane, masked or not: the tail map points its unused
            // lanes at column 0.
            int[] tailIdx = s.gatherIndex(ldb, rest);
            VectorMask<Float> tail = S.indexInRange(0, rest);
            int src = bOff + (jc + full) * ldb + pc;
            for (int p = 0; p < kc; p++) {
                FloatVector.fromArray(S, b, src + p, tailIdx, 0, tail).intoArray(bp, dst(full, p, kc, nc));
            }
        }
    }

    /**
     * Packs a block of op(B) for B stored transposed ([n, k]) with 16 x 16 in-register transposes (512-bit
     * vectors): 16 rows of B (columns j of op(B)) x 16 values of p are loaded as 16 vectors, transposed in four
     * rounds of two-vector permutes (swapping off-diagonal 8x8, 4x4, 2x2 and 1x1 blocks), and stored as 16 packed
     * rows: about 10 cycles per packed vector against 24 for a gather. Partial blocks (the last columns or the
     * last p values) are gathered.
     */
    static void packBTransposed16(float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] bp,
                                  Scratch s) {
        for (int j = 0; j < nc; j += 16) {
            int jn = Math.min(16, nc - j);
            int[] idx = s.gatherIndex(ldb, jn);
            int panel = j / NR * NR;
            int width = Math.min(NR, roundUp(nc - panel, VL));
            int dst0 = panel * kc + (j - panel);
            int src0 = bOff + (jc + j) * ldb + pc;
            int p = 0;
            if (jn == 16) {
                for (; p + 16 <= kc; p += 16) {
                    transpose16(b, src0 + p, ldb, bp, dst0 + p * width, width);
                }
            }
            for (; p < kc; p++) { // edge blocks: gathers
                VectorMask<Float> m = S.indexInRange(0, jn);
                FloatVector.fromArray(S, b, src0 + p, idx, 0, m).intoArray(bp, dst0 + p * width);
            }
        }
    }

    /**
     * One 16 x 16 block: rows {@code b[src + r*ldb + (0..16)]} become packed rows {@code bp[dst + i*width +
     * (0..16)]}. Whole blocks only, and kept apart from the loops: with edge masks, or inlined in its caller, it
     * was too big for C1 ("out of virtual registers"), and such a method may never reach C2.
     */
    private static void transpose16(float[] b, int src, int ldb, float[] bp, int dst, int width) {
        FloatVector lo8 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 0);
        FloatVector hi8 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 16);
        FloatVector lo4 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 32);
        FloatVector hi4 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 48);
        FloatVector lo2 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 64);
        FloatVector hi2 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 80);
        FloatVector lo1 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 96);
        FloatVector hi1 = FloatVector.fromArray(S, TRANSPOSE_INDEX, 112);
        FloatVector r0 = FloatVector.fromArray(S, b, src);
        FloatVector r1 = FloatVector.fromArray(S, b, src + 1 * ldb);
        FloatVector r2 = FloatVector.fromArray(S, b, src + 2 * ldb);
        FloatVector r3 = FloatVector.fromArray(S, b, src + 3 * ldb);
        FloatVector r4 = FloatVector.fromArray(S, b, src + 4 * ldb);
        FloatVector r5 = FloatVector.fromArray(S, b, src + 5 * ldb);
        FloatVector r6 = FloatVector.fromArray(S, b, src + 6 * ldb);
        FloatVector r7 = FloatVector.fromArray(S, b, src + 7 * ldb);
        FloatVector r8 = FloatVector.fromArray(S, b, src + 8 * ldb);
        FloatVector r9 = FloatVector.fromArray(S, b, src + 9 * ldb);
        FloatVector r10 = FloatVector.fromArray(S, b, src + 10 * ldb);
        FloatVector r11 = FloatVector.fromArray(S, b, src + 11 * ldb);
        FloatVector r12 = FloatVector.fromArray(S, b, src + 12 * ldb);
        FloatVector r13 = FloatVector.fromArray(S, b, src + 13 * ldb);
        FloatVector r14 = FloatVector.fromArray(S, b, src + 14 * ldb);
        FloatVector r15 = FloatVector.fromArray(S, b, src + 15 * ldb);
        // swap the off-diagonal 8x8 blocks of rows i and i+8
        FloatVector s8_0 = lo8.selectFrom(r0, r8);
        r8 = hi8.selectFrom(r0, r8);
        r0 = s8_0;
        FloatVector s8_1 = lo8.selectFrom(r1, r9);
        r9 = hi8.selectFrom(r1, r9);
        r1 = s8_1;
        FloatVector s8_2 = lo8.selectFrom(r2, r10);
        r10 = hi8.selectFrom(r2, r10);
        r2 = s8_2;
        FloatVector s8_3 = lo8.selectFrom(r3, r11);
        r11 = hi8.selectFrom(r3, r11);
        r3 = s8_3;
        FloatVector s8_4 = lo8.selectFrom(r4, r12);
        r12 = hi8.selectFrom(r4, r12);
        r4 = s8_4;
        FloatVector s8_5 = lo8.selectFrom(r5, r13);
        r13 = hi8.selectFrom(r5, r13);
        r5 = s8_5;
        FloatVector s8_6 = lo8.selectFrom(r6, r14);
        r14 = hi8.selectFrom(r6, r14);
        r6 = s8_6;
        FloatVector s8_7 = lo8.selectFrom(r7, r15);
        r15 = hi8.selectFrom(r7, r15);
        r7 = s8_7;
        // swap the off-diagonal 4x4 blocks of rows i and i+4
        FloatVector s4_0 = lo4.selectFrom(r0, r4);
        r4 = hi4.selectFrom(r0, r4);
        r0 = s4_0;
        FloatVector s4_1 = lo4.selectFrom(r1, r5);
        r5 = hi4.selectFrom(r1, r5);
        r1 = s4_1;
        FloatVector s4_2 = lo4.selectFrom(r2, r6);
        r6 = hi4.selectFrom(r2, r6);
        r2 = s4_2;
        FloatVector s4_3 = lo4.selectFrom(r3, r7);
        r7 = hi4.selectFrom(r3, r7);
        r3 = s4_3;
        FloatVector s4_8 = lo4.selectFrom(r8, r12);
        r12 = hi4.selectFrom(r8, r12);
        r8 = s4_8;
        FloatVector s4_9 = lo4.selectFrom(r9, r13);
        r13 = hi4.selectFrom(r9, r13);
        r9 = s4_9;
        FloatVector s4_10 = lo4.selectFrom(r10, r14);
        r14 = hi4.selectFrom(r10, r14);
        r10 = s4_10;
        FloatVector s4_11 = lo4.selectFrom(r11, r15);
        r15 = hi4.selectFrom(r11, r15);
        r11 = s4_11;
        // swap the off-diagonal 2x2 blocks of rows i and i+2
        FloatVector s2_0 = lo2.selectFrom(r0, r2);
        r2 = hi2.selectFrom(r0, r2);
        r0 = s2_0;
        FloatVector s2_1 = lo2.selectFrom(r1, r3);
        r3 = hi2.selectFrom(r1, r3);
        r1 = s2_1;
        FloatVector s2_4 = lo2.selectFrom(r4, r6);
        r6 = hi2.selectFrom(r4, r6);
        r4 = s2_4;
        FloatVector s2_5 = lo2.selectFrom(r5, r7);
        r7 = hi2.selectFrom(r5, r7);
        r5 = s2_5;
        FloatVector s2_8 = lo2.selectFrom(r8, r10);
        r10 = hi2.selectFrom(r8, r10);
        r8 = s2_8;
        FloatVector s2_9 = lo2.selectFrom(r9, r11);
        r11 = hi2.selectFrom(r9, r11);
        r9 = s2_9;
        FloatVector s2_12 = lo2.selectFrom(r12, r14);
        r14 = hi2.selectFrom(r12, r14);
        r12 = s2_12;
        FloatVector s2_13 = lo2.selectFrom(r13, r15);
        r15 = hi2.selectFrom(r13, r15);
        r13 = s2_13;
        // swap the off-diagonal 1x1 blocks of rows i and i+1
        FloatVector s1_0 = lo1.selectFrom(r0, r1);
        r1 = hi1.selectFrom(r0, r1);
        r0 = s1_0;
        FloatVector s1_2 = lo1.selectFrom(r2, r3);
        r3 = hi1.selectFrom(r2, r3);
        r2 = s1_2;
        FloatVector s1_4 = lo1.selectFrom(r4, r5);
        r5 = hi1.selectFrom(r4, r5);
        r4 = s1_4;
        FloatVector s1_6 = lo1.selectFrom(r6, r7);
        r7 = hi1.selectFrom(r6, r7);
        r6 = s1_6;
        FloatVector s1_8 = lo1.selectFrom(r8, r9);
        r9 = hi1.selectFrom(r8, r9);
        r8 = s1_8;
        FloatVector s1_10 = lo1.selectFrom(r10, r11);
        r11 = hi1.selectFrom(r10, r11);
        r10 = s1_10;
        FloatVector s1_12 = lo1.selectFrom(r12, r13);
        r13 = hi1.selectFrom(r12, r13);
        r12 = s1_12;
        FloatVector s1_14 = lo1.selectFrom(r14, r15);
        r15 = hi1.selectFrom(r14, r15);
        r14 = s1_14;
        r0.intoArray(bp, dst);
        r1.intoArray(bp, dst + 1 * width);
        r2.intoArray(bp, dst + 2 * width);
        r3.intoArray(bp, dst + 3 * width);
        r4.intoArray(bp, dst + 4 * width);
        r5.intoArray(bp, dst + 5 * width);
        r6.intoArray(bp, dst + 6 * width);
        r7.intoArray(bp, dst + 7 * width);
        r8.intoArray(bp, dst + 8 * width);
        r9.intoArray(bp, dst + 9 * width);
        r10.intoArray(bp, dst + 10 * width);
        r11.intoArray(bp, dst + 11 * width);
        r12.intoArray(bp, dst + 12 * width);
        r13.intoArray(bp, dst + 13 * width);
        r14.intoArray(bp, dst + 14 * width);
        r15.intoArray(bp, dst + 15 * width);
    }

    /** selectFrom indices for the transpose rounds: pairs (lo, hi) for block sizes 8, 4, 2, 1. */
    private static final float[] TRANSPOSE_INDEX = transposeIndex();

    private static float[] transposeIndex() {
        float[] idx = new float[128];
        int at = 0;
        for (int d = 8; d >= 1; d /= 2) {
            for (int l = 0; l < 16; l++) { // row i keeps its lanes with bit d clear, takes row i+d's low lanes
                idx[at + l] = (l & d) == 0 ? l : 16 + l - d;
                idx[at + 16 + l] = (l & d) == 0 ? l + d : 16 + l;
            }
            at += 32;
        }
        return idx;
    }

    /** Where packed element (p, j) starts for a vector-aligned column j of a block nc wide. */
    private static int dst(int j, int p, int kc, int nc) {
        int panel = j / NR * NR;
        int width = Math.min(NR, roundUp(nc - panel, VL));
        return panel * kc + p * width + (j - panel);
    }

    // ---------------------------------------------------------------- merge (edges and beta)

    /**
     * C[0:mr, 0:nr] (at c[ci], row stride ldc) = beta*C + t. Beta 0 never reads C. The last partial vector uses
     * masked loads and stores, so nothing outside the tile is touched.
     */
    static void merge(float[] t, int mr, int nr, float beta, float[] c, int ci, int ldc) {
        int full = nr / VL * VL;
        VectorMask<Float> tail = S.indexInRange(full, nr);
        for (int r = 0; r < mr; r++) {
            int row = ci + r * ldc;
            int tr = r * NR;
            int j = 0;
            for (; j < full; j += VL) {
                FloatVector acc = FloatVector.fromArray(S, t, tr + j);
                if (beta == 0f) {
                    acc.intoArray(c, row + j);
                } else if (beta == 1f) {
                    FloatVector.fromArray(S, c, row + j).add(acc).intoArray(c, row + j);
                } else {
                    FloatVector.fromArray(S, c, row + j).fma(FloatVector.broadcast(S, beta), acc).intoArray(c, row + j);
                }
            }
            if (j < nr) {
                FloatVector acc = FloatVector.fromArray(S, t, tr + j);
                if (beta == 0f) {
                    acc.intoArray(c, row + j, tail);
                } else if (beta == 1f) {
                    FloatVector.fromArray(S, c, row + j, tail).add(acc).intoArray(c, row + j, tail);
                } else {
                    FloatVector.fromArray(S, c, row + j, tail).fma(FloatVector.broadcast(S, beta), acc).intoArray(c, row + j, tail);
                }
            }
        }
    }

    /**
     * {@link #merge} into {@code rows}: tile row r is C's row ic + r, at column col of it; beta is 0 (first k
     * block) or 1. In the last k block each row then gets its bias and, with ReLU, is clamped, in
     * {@link Epilogue#biasRelu}'s order (sum, + bias, max 0), so the result is bit for bit the unfused one.
     */
    static void mergeRows(float[] t, int mr, int nr, boolean first, RowBlocks rows, int ic, int col, boolean last) {
        int full = nr / VL * VL;
        VectorMask<Float> tail = S.indexInRange(full, nr);
        FloatVector zero = FloatVector.zero(S);
        boolean biased = last && rows.bias() != null, relu = last && rows.relu();
        for (int r = 0; r < mr; r++) {
            int i = ic + r;
            int blk = rows.block(i);
            float[] c = rows.out()[blk];
            int row = rows.rowStart(blk, i) + col;
            int tr = r * NR;
            FloatVector bias = FloatVector.broadcast(S, biased ? rows.bias()[i] : 0f);
            int j = 0;
            for (; j < full; j += VL) {
                FloatVector acc = FloatVector.fromArray(S, t, tr + j);
                if (!first) {
                    acc = FloatVector.fromArray(S, c, row + j).add(acc);
                }
                if (biased) {
                    acc = acc.add(bias);
                }
                if (relu) {
                    acc = acc.max(zero);
                }
                acc.intoArray(c, row + j);
            }
            if (j < nr) {
                FloatVector acc = FloatVector.fromArray(S, t, tr + j);
                if (!first) {
                    acc = FloatVector.fromArray(S, c, row + j, tail).add(acc);
                }
                if (biased) {
                    acc = acc.add(bias);
                }
                if (relu) {
                    acc = acc.max(zero);
                }
                acc.intoArray(c, row + j, tail);
            }
        }
    }

    /** k == 0: C = beta*C (beta 0 overwrites with zeros). */
    private static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    // ---------------------------------------------------------------- micro-kernels

    /**
     * The dot-product kernel for transB with few rows: C[i, j] for up to 4 rows i (rows past mr repeat the last)
     * and 4 columns j (likewise past nr) as 16 vector sums along k, where A's rows and B's rows are both
     * contiguous. Whole vectors of k here; {@link #finishDots} adds the masked rest, sums lanes and merges.
     * (With the masked loads inline the method is too big for C1, and then may never be compiled by C2.)
     */
    private static void dot4x4(int k, float[] a, int a0, int lda, int mr, float[] b, int b0, int ldb, int nr,
                               float beta, float[] c, int cBase, int ldc, float[] t) {
        FloatVector zero = FloatVector.zero(S);
        int a1 = a0 + Math.min(1, mr - 1) * lda;
        int a2 = a0 + Math.min(2, mr - 1) * lda;
        int a3 = a0 + Math.min(3, mr - 1) * lda;
        int b1 = b0 + Math.min(1, nr - 1) * ldb;
        int b2 = b0 + Math.min(2, nr - 1) * ldb;
        int b3 = b0 + Math.min(3, nr - 1) * ldb;
        FloatVector s00 = zero, s01 = zero, s02 = zero, s03 = zero;
        FloatVector s10 = zero, s11 = zero, s12 = zero, s13 = zero;
        FloatVector s20 = zero, s21 = zero, s22 = zero, s23 = zero;
        FloatVector s30 = zero, s31 = zero, s32 = zero, s33 = zero;
        int full = k / VL * VL;
        for (int p = 0; p < full; p += VL) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
            FloatVector x0 = FloatVector.fromArray(S, a, a0 + p);
            s00 = x0.fma(y0, s00); s01 = x0.fma(y1, s01); s02 = x0.fma(y2, s02); s03 = x0.fma(y3, s03);
            FloatVector x1 = FloatVector.fromArray(S, a, a1 + p);
            s10 = x1.fma(y0, s10); s11 = x1.fma(y1, s11); s12 = x1.fma(y2, s12); s13 = x1.fma(y3, s13);
            FloatVector x2 = FloatVector.fromArray(S, a, a2 + p);
            s20 = x2.fma(y0, s20); s21 = x2.fma(y1, s21); s22 = x2.fma(y2, s22); s23 = x2.fma(y3, s23);
            FloatVector x3 = FloatVector.fromArray(S, a, a3 + p);
            s30 = x3.fma(y0, s30); s31 = x3.fma(y1, s31); s32 = x3.fma(y2, s32); s33 = x3.fma(y3, s33);
        }
        s00.intoArray(t, 0 * VL); s01.intoArray(t, 1 * VL);
        s02.intoArray(t, 2 * VL); s03.intoArray(t, 3 * VL);
        s10.intoArray(t, 4 * VL); s11.intoArray(t, 5 * VL);
        s12.intoArray(t, 6 * VL); s13.intoArray(t, 7 * VL);
        s20.intoArray(t, 8 * VL); s21.intoArray(t, 9 * VL);
        s22.intoArray(t, 10 * VL); s23.intoArray(t, 11 * VL);
        s30.intoArray(t, 12 * VL); s31.intoArray(t, 13 * VL);
        s32.intoArray(t, 14 * VL); s33.intoArray(t, 15 * VL);
        finishDots(k, full, a, a0, lda, mr, b, b0, ldb, nr, beta, c, cBase, ldc, t);
    }

    /**
     * The rest of {@link #dot4x4}: the lane sums, the last k % VL products (scalar), and the merge into C. Not a
     * masked vector tail: near an array's end its bounds check failed C2's loop predicates over and over as shapes
     * changed during training (each failure a deoptimization; the method then ran 5× slower for whole phases).
     * No vector operations here either: it runs a few times per call of a layer, too rarely for C2 to compile it
     * soon, and the Vector API outside C2 boxes every vector (the lanes are summed from the tile array instead).
     */
    private static void finishDots(int k, int full, float[] a, int a0, int lda, int mr, float[] b, int b0, int ldb,
                                   int nr, float beta, float[] c, int cBase, int ldc, float[] t) {
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                float v = laneSum(t, (r * 4 + j) * VL);
                for (int p = full, ar = a0 + r * lda, bj = b0 + j * ldb; p < k; p++) {
                    v = Math.fma(a[ar + p], b[bj + p], v);
                }
                int at = cBase + r * ldc + j;
                c[at] = beta == 0f ? v : beta == 1f ? c[at] + v : beta * c[at] + v;
            }
        }
    }

    /**
     * The sum of the VL lanes stored at {@code t[at ..]}, in a fixed pairwise order (lane i plus lane i + VL/2,
     * then halves again): reduceLanes may add in a different order once compiled than when interpreted, which
     * would make results depend on JIT timing. Overwrites the lanes.
     */
    static float laneSum(float[] t, int at) {
        for (int half = VL / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                t[at + i] += t[at + i + half];
            }
        }
        return t[at];
    }

    /**
     * The 6 x 4-vector micro-kernel: {@code t[r][0, 4*VL) = sum_p A[r,p] * panel[p][0, 4*VL)}, 24 accumulators
     * held in registers over the whole k loop. A row r at p is {@code a[aBase + min(r, mr-1)*rs + p*cs]}: rows past
     * the edge repeat the last real row, so nothing outside A is read, and merge() drops them. B panel row p is
     * {@code b[bBase + p*bs ...]}: packed (bs = panel width) or B itself (bs = ldb). Results go to the tile buffer
     * t (row stride NR) for merge() to add into C.
     */
    static void kernel4(int kc, float[] a, int aBase, int rs, int cs, int mr,
                                float[] b, int bBase, int bs, float[] t) {
        // A local zero, not a static constant: C2 keeps loop-carried vectors in registers only when every
        // value entering the loop is a freshly made vector.
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero, c43 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero, c53 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < kc; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42); c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52); c53 = a5.fma(b3, c53);
        }
        c00.intoArray(t, 0 * NR + 0 * VL); c01.intoArray(t, 0 * NR + 1 * VL);
        c02.intoArray(t, 0 * NR + 2 * VL); c03.intoArray(t, 0 * NR + 3 * VL);
        c10.intoArray(t, 1 * NR + 0 * VL); c11.intoArray(t, 1 * NR + 1 * VL);
        c12.intoArray(t, 1 * NR + 2 * VL); c13.intoArray(t, 1 * NR + 3 * VL);
        c20.intoArray(t, 2 * NR + 0 * VL); c21.intoArray(t, 2 * NR + 1 * VL);
        c22.intoArray(t, 2 * NR + 2 * VL); c23.intoArray(t, 2 * NR + 3 * VL);
        c30.intoArray(t, 3 * NR + 0 * VL); c31.intoArray(t, 3 * NR + 1 * VL);
        c32.intoArray(t, 3 * NR + 2 * VL); c33.intoArray(t, 3 * NR + 3 * VL);
        c40.intoArray(t, 4 * NR + 0 * VL); c41.intoArray(t, 4 * NR + 1 * VL);
        c42.intoArray(t, 4 * NR + 2 * VL); c43.intoArray(t, 4 * NR + 3 * VL);
        c50.intoArray(t, 5 * NR + 0 * VL); c51.intoArray(t, 5 * NR + 1 * VL);
        c52.intoArray(t, 5 * NR + 2 * VL); c53.intoArray(t, 5 * NR + 3 * VL);
    }

    /**
     * {@link #kernel4} on packed A ({@link #packSlivers}): the sliver's MR values for each k side by side at
     * {@code a[aBase + MR·p]}; always MR rows (the packing's zero rows past m are computed and not merged).
     */
    static void kernel4Packed(int kc, float[] a, int aBase, float[] b, int bBase, int bs, float[] t) {
        // A local zero, not a static constant: C2 keeps loop-carried vectors in registers only when every
        // value entering the loop is a freshly made vector.
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero, c43 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero, c53 = zero;
        for (int p = 0; p < kc; p++) {
            // A's index at a constant stride: measured faster than kernel4 reading the same packing with cs = MR
            int ai = aBase + MR * p, bi = bBase + p * bs;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42); c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52); c53 = a5.fma(b3, c53);
        }
        c00.intoArray(t, 0 * NR + 0 * VL); c01.intoArray(t, 0 * NR + 1 * VL);
        c02.intoArray(t, 0 * NR + 2 * VL); c03.intoArray(t, 0 * NR + 3 * VL);
        c10.intoArray(t, 1 * NR + 0 * VL); c11.intoArray(t, 1 * NR + 1 * VL);
        c12.intoArray(t, 1 * NR + 2 * VL); c13.intoArray(t, 1 * NR + 3 * VL);
        c20.intoArray(t, 2 * NR + 0 * VL); c21.intoArray(t, 2 * NR + 1 * VL);
        c22.intoArray(t, 2 * NR + 2 * VL); c23.intoArray(t, 2 * NR + 3 * VL);
        c30.intoArray(t, 3 * NR + 0 * VL); c31.intoArray(t, 3 * NR + 1 * VL);
        c32.intoArray(t, 3 * NR + 2 * VL); c33.intoArray(t, 3 * NR + 3 * VL);
        c40.intoArray(t, 4 * NR + 0 * VL); c41.intoArray(t, 4 * NR + 1 * VL);
        c42.intoArray(t, 4 * NR + 2 * VL); c43.intoArray(t, 4 * NR + 3 * VL);
        c50.intoArray(t, 5 * NR + 0 * VL); c51.intoArray(t, 5 * NR + 1 * VL);
        c52.intoArray(t, 5 * NR + 2 * VL); c53.intoArray(t, 5 * NR + 3 * VL);
    }

    /** The 6 x 3-vector variant of {@link #kernel4}, for the last, narrower panel. */
    private static void kernel3(int kc, float[] a, int aBase, int rs, int cs, int mr,
                                        float[] b, int bBase, int bs, float[] t) {
        // A local zero, not a static constant: C2 keeps loop-carried vectors in registers only when every
        // value entering the loop is a freshly made vector.
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < kc; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
        }
        c00.intoArray(t, 0 * NR + 0 * VL); c01.intoArray(t, 0 * NR + 1 * VL); c02.intoArray(t, 0 * NR + 2 * VL);
        c10.intoArray(t, 1 * NR + 0 * VL); c11.intoArray(t, 1 * NR + 1 * VL); c12.intoArray(t, 1 * NR + 2 * VL);
        c20.intoArray(t, 2 * NR + 0 * VL); c21.intoArray(t, 2 * NR + 1 * VL); c22.intoArray(t, 2 * NR + 2 * VL);
        c30.intoArray(t, 3 * NR + 0 * VL); c31.intoArray(t, 3 * NR + 1 * VL); c32.intoArray(t, 3 * NR + 2 * VL);
        c40.intoArray(t, 4 * NR + 0 * VL); c41.intoArray(t, 4 * NR + 1 * VL); c42.intoArray(t, 4 * NR + 2 * VL);
        c50.intoArray(t, 5 * NR + 0 * VL); c51.intoArray(t, 5 * NR + 1 * VL); c52.intoArray(t, 5 * NR + 2 * VL);
    }

    /** The 6 x 2-vector variant of {@link #kernel4}, for the last, narrower panel. */
    private static void kernel2(int kc, float[] a, int aBase, int rs, int cs, int mr,
                                        float[] b, int bBase, int bs, float[] t) {
        // A local zero, not a static constant: C2 keeps loop-carried vectors in registers only when every
        // value entering the loop is a freshly made vector.
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero;
        FloatVector c10 = zero, c11 = zero;
        FloatVector c20 = zero, c21 = zero;
        FloatVector c30 = zero, c31 = zero;
        FloatVector c40 = zero, c41 = zero;
        FloatVector c50 = zero, c51 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < kc; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        c00.intoArray(t, 0 * NR + 0 * VL); c01.intoArray(t, 0 * NR + 1 * VL);
        c10.intoArray(t, 1 * NR + 0 * VL); c11.intoArray(t, 1 * NR + 1 * VL);
        c20.intoArray(t, 2 * NR + 0 * VL); c21.intoArray(t, 2 * NR + 1 * VL);
        c30.intoArray(t, 3 * NR + 0 * VL); c31.intoArray(t, 3 * NR + 1 * VL);
        c40.intoArray(t, 4 * NR + 0 * VL); c41.intoArray(t, 4 * NR + 1 * VL);
        c50.intoArray(t, 5 * NR + 0 * VL); c51.intoArray(t, 5 * NR + 1 * VL);
    }

    /** The 6 x 1-vector variant of {@link #kernel4}, for the last, narrower panel. */
    private static void kernel1(int kc, float[] a, int aBase, int rs, int cs, int mr,
                                        float[] b, int bBase, int bs, float[] t) {
        // A local zero, not a static constant: C2 keeps loop-carried vectors in registers only when every
        // value entering the loop is a freshly made vector.
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero;
        FloatVector c10 = zero;
        FloatVector c20 = zero;
        FloatVector c30 = zero;
        FloatVector c40 = zero;
        FloatVector c50 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < kc; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50);
        }
        c00.intoArray(t, 0 * NR + 0 * VL);
        c10.intoArray(t, 1 * NR + 0 * VL);
        c20.intoArray(t, 2 * NR + 0 * VL);
        c30.intoArray(t, 3 * NR + 0 * VL);
        c40.intoArray(t, 4 * NR + 0 * VL);
        c50.intoArray(t, 5 * NR + 0 * VL);
    }

    /** Per-thread buffers, grown on demand and then reused. */
    static final class Scratch {
        final float[] tile = new float[MR * NR];
        private float[] pack = new float[0];
        private final int[] gather = new int[VL];
        private final int[] gatherTail = new int[VL];
        private int gatherLd = -1;
        private int tailLd = -1;
        private int tailLanes = -1;

        float[] packBuffer(int size) {
            if (pack.length < size) {
                pack = new float[Math.max(size, KC * NC)];
            }
            return pack;
        }

        /** Lane offsets {0, ld, 2ld, ...} for gathering a column of a row-major matrix; 0 from lane 'lanes' on. */
        int[] gatherIndex(int ld, int lanes) {
            if (lanes == VL) {
                if (ld != gatherLd) {
                    fillIndex(gather, ld, lanes);
                    gatherLd = ld;
                }
                return gather;
            }
            if (ld != tailLd || lanes != tailLanes) {
                fillIndex(gatherTail, ld, lanes);
                tailLd = ld;
                tailLanes = lanes;
            }
            return gatherTail;
        }

        private static void fillIndex(int[] idx, int ld, int lanes) {
            for (int l = 0; l < VL; l++) {
                idx[l] = l < lanes ? l * ld : 0;
            }
        }
    }
}
