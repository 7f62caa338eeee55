package dev.googlenet.model;

import java.util.List;

/**
 * One Inception row of the paper's Table 1; the column names follow the table: #1×1, #3×3 reduce, #3×3,
 * #5×5 reduce, #5×5, pool proj. (torchvision keeps these numbers but uses a 3×3 kernel in the "5×5" branch.)
 */
public record InceptionSpec(String name, int in, int c1x1, int c3x3red, int c3x3, int c5x5red, int c5x5,
                            int poolProj) {

    /** Channels of the concatenated output. */
    public int out() {
        return c1x1 + c3x3 + c5x5 + poolProj;
    }

    /**
     * This row with every column multiplied by {@code width} (rounded, at least 1) and {@code in} input channels
     * (the previous stage's output, itself scaled); the row itself when nothing changes.
     */
    public InceptionSpec scaled(float width, int in) {
        if (width == 1f && in == this.in) {
            return this;
        }
        return new InceptionSpec(name, in, scale(c1x1, width), scale(c3x3red, width), scale(c3x3, width),
                scale(c5x5red, width), scale(c5x5, width), scale(poolProj, width));
    }

    private static int scale(int c, float width) {
        return width == 1f ? c : Math.max(1, Math.round(c * width));
    }

    //                      name           in   c1x1 c3x3red c3x3 c5x5red c5x5 poolProj
    public static final List<InceptionSpec> TABLE_1 = List.of(
            new InceptionSpec("inception3a", 192,  64,  96, 128, 16,  32,  32),  // 28×28 → 256
            new InceptionSpec("inception3b", 256, 128, 128, 192, 32,  96,  64),  // 28×28 → 480
            new InceptionSpec("inception4a", 480, 192,  96, 208, 16,  48,  64),  // 14×14 → 512
            new InceptionSpec("inception4b", 512, 160, 112, 224, 24,  64,  64),  // 14×14 → 512
            new InceptionSpec("inception4c", 512, 128, 128, 256, 24,  64,  64),  // 14×14 → 512
            new InceptionSpec("inception4d", 512, 112, 144, 288, 32,  64,  64),  // 14×14 → 528
            new InceptionSpec("inception4e", 528, 256, 160, 320, 32, 128, 128),  // 14×14 → 832
            new InceptionSpec("inception5a", 832, 256, 160, 320, 32, 128, 128),  //  7×7 → 832
            new InceptionSpec("inception5b", 832, 384, 192, 384, 48, 128, 128)); //  7×7 → 1024

    /** The row named {@code name}, e.g. "inception4a". */
    public static InceptionSpec row(String name) {
        return TABLE_1.stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no Inception row named " + name));
    }
}
