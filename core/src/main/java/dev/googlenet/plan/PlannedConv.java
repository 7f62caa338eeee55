package dev.googlenet.plan;

import dev.googlenet.kernels.ConvAlgorithm;
import dev.googlenet.kernels.Convolution;
import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.PackedFilters;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.kernels.Winograd3x3;
import dev.googlenet.model.ConvBlock;
import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Conv2d;

import java.util.List;

/**
 * A convolution + ReLU as inference runs it: BatchNorm (eval mode: a per-channel affine map) folded into the
 * weights and bias, bias and ReLU fused into the GEMM's or Winograd's epilogue. The weights are this object's own
 * copy, never changed after construction; Winograd's transformed filters (once per tile size) and the GEMM's
 * packed filters are made on first use and shared by every thread.
 */
final class PlannedConv {
    final Convolution geometry;
    final float[] weight;
    final float[] bias; // null when the block has neither bias nor BatchNorm
    private final Winograd3x3.Weights[] winograd = new Winograd3x3.Weights[5]; // by tile: 2 and 4
    private final boolean pack; // Fusions.packFilters
    private volatile PackedFilters packed;

    private PlannedConv(Convolution geometry, float[] weight, float[] bias, boolean pack) {
        this.geometry = geometry;
        this.weight = weight;
        this.bias = bias;
        this.pack = pack;
    }

    /** The block's convolution with its BatchNorm folded in: W' = W·γ/σ, b' = β + (b − μ)·γ/σ, σ = √(var + eps). */
    static PlannedConv of(ConvBlock block, boolean packFilters) {
        Conv2d conv = block.conv();
        Convolution geometry = new Convolution(conv.inChannels(), conv.outChannels(), conv.kernelH(), conv.kernelW(),
                conv.stride(), conv.padding());
        float[] w = conv.weight().value().data();
        float[] convBias = conv.bias() == null ? null : conv.bias().value().data();
        BatchNorm2d bn = block.bn();
        if (bn == null) {
            return new PlannedConv(geometry, w.clone(), convBias == null ? null : convBias.clone(), packFilters);
        }
        BatchNorm2d.Folded folded = bn.fold(w, convBias);
        return new PlannedConv(geometry, folded.weight(), folded.bias(), packFilters);
    }

    /**
     * Convolutions of one input with the same geometry as one: their filters stacked, their output channels one
     * after the other (Inception's three 1×1 convolutions of its input: one GEMM reads the input once for all).
     */
    static PlannedConv stack(List<PlannedConv> parts) {
        Convolution g = parts.getFirst().geometry;
        int rows = 0, weights = 0;
        boolean biased = parts.getFirst().bias != null;
        for (PlannedConv p : parts) {
            Convolution q = p.geometry;
            if (q.inChannels() != g.inChannels() || q.kernelH() != g.kernelH() || q.kernelW() != g.kernelW()
                    || q.stride() != g.stride() || q.padding() != g.padding() || (p.bias != null) != biased) {
                throw new IllegalArgumentException("only convolutions of one geometry, all biased or none, stack");
            }
            rows += q.outChannels();
            weights += p.weight.length;
        }
        float[] w = new float[weights], b = biased ? new float[rows] : null;
        int at = 0, row = 0;
        for (PlannedConv p : parts) {
            System.arraycopy(p.weight, 0, w, at, p.weight.length);
            if (b != null) {
                System.arraycopy(p.bias, 0, b, row, p.bias.length);
            }
            at += p.weight.length;
            row += p.geometry.outChannels();
        }
        return new PlannedConv(new Convolution(g.inChannels(), rows, g.kernelH(), g.kernelW(), g.stride(),
                g.padding()), w, b, parts.getFirst().pack);
    }

    /**
     * Winograd's tile for n h×w inputs ({@link ConvAlgorithm}'s rule), 0 for im2col + GEMM; never when disabled.
     */
    int winogradTile(int n, int h, int w, boolean allowed) {
        Convolution g = geometry;
        return allowed ? ConvAlgorithm.winogradTile(g.kernelH(), g.kernelW(), g.stride(), g.padding(), n,
                g.inChannels(), g.outChannels(), h, w, false) : 0;
    }

    /** The transformed filters for F(tile×tile, 3×3), made on first use. */
    Winograd3x3.Weights winograd(int tile) {
        Winograd3x3.Weights u = winograd[tile];
        if (u == null) {
            synchronized (winograd) {
                u = winograd[tile];
                if (u == null) {
                    u = Winograd3x3.transformWeights(weight, 0, geometry.outChannels(), geometry.inChannels(), tile);
                    winograd[tile] = u;
                }
            }
        }
        return u;
    }

    /**
     * The filters packed for the GEMM, made on first use (a convolution Winograd runs never needs them); their
     * rows alone when the plan does not pack ({@link Fusions#packFilters}).
     */
    PackedFilters filters() {
        PackedFilters p = packed;
        if (p == null) {
            synchronized (winograd) {
                p = packed;
                if (p == null) {
                    p = pack ? PackedFilters.of(weight, geometry.outChannels(), geometry.filterSize())
                            : PackedFilters.rowMajor(weight, geometry.outChannels(), geometry.filterSize());
                    packed = p;
                }
            }
        }
        return p;
    }

    /**
     * ReLU(conv(x) + b) for n images of h×w into channels [offset, offset + Cout) of {@code out} ({@code total}
     * channels per image), by Winograd when {@code tile} > 0, else by im2col + GEMM.
     */
    void run(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, int tile, float[] out, int total,
             int offset) {
        if (tile > 0) {
            Winograd3x3.forwardBatch(pool, x, n, geometry.inChannels(), h, w, winograd(tile), bias, true, out, total,
                    offset);
        } else {
            geometry.forward(pool, gemm, x, n, h, w, filters(), bias, true,
                    List.of(new Convolution.Slice(out, total, offset, geometry.outChannels())));
        }
    }

    long multiplyAdds(int n, int h, int w) {
        Convolution g = geometry;
        return (long) n * g.outH(h) * g.outW(w) * g.outChannels() * g.filterSize();
    }

    /** "conv 3×3/1", for profiles. */
    String kind() {
        Convolution g = geometry;
        return "conv " + g.kernelH() + "×" + g.kernelW() + "/" + g.stride();
    }

    /** {@link #kind()}, with " winograd" when it ran with a Winograd {@code tile} (0: im2col + GEMM). */
    String kind(int tile) {
        return tile > 0 ? kind() + " winograd" : kind();
    }
}
