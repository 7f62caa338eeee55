package dev.googlenet.plan;

import dev.googlenet.tensor.Shape;

/** A convolution block (conv [+ folded BatchNorm] + ReLU) on its own: the stem's conv1, conv2, conv3. */
final class ConvStep implements Step {
    private final String name;
    private final PlannedConv conv;
    private final boolean winograd;

    ConvStep(String name, PlannedConv conv, boolean winograd) {
        this.name = name;
        this.conv = conv;
        this.winograd = winograd;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        Shape.requireNchw(in, conv.geometry.inChannels(), name);
        int oh = conv.geometry.outH(in[2]), ow = conv.geometry.outW(in[3]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(name + ": a " + in[2] + "×" + in[3] + " input is too small");
        }
        return new int[] {in[0], conv.geometry.outChannels(), oh, ow};
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int n = f.inShape()[0], h = f.inShape()[2], w = f.inShape()[3];
        long t = Step.now(listener);
        int tile = conv.winogradTile(n, h, w, winograd);
        conv.run(f.pool(), f.gemm(), f.in(), n, h, w, tile, f.out(), conv.geometry.outChannels(), 0);
        Step.report(listener, name, conv.kind(tile), Step.convDetail(conv.geometry.inChannels(),
                Integer.toString(conv.geometry.outChannels()), h, w), t, conv.multiplyAdds(n, h, w));
    }
}
