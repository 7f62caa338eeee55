package dev.googlenet.cli;

import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.ImageResize;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.RgbImage;
import dev.googlenet.explain.DeepDream;
import dev.googlenet.infer.LoadedModel;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "dream", description = "DeepDream as Google's 2015 notebook runs it: gradient ascent on ½‖A‖² at a "
        + "layer, step 1.5 over the gradient's mean |value|, jitter up to 32 px, octaves of scale 1.4 with the detail "
        + "carried over; seeded, so one seed gives one image. Optional --guide image (the notebook's objective_guide).")
final class DreamCommand implements Callable<Integer> {

    @Parameters(paramLabel = "IMAGE", description = "the image to dream on")
    Path image;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--layer", defaultValue = "inception4c", description = "the layer whose activation grows "
            + "(default: ${DEFAULT-VALUE}, the notebook's inception_4c/output)")
    String layer;

    @Option(names = "--octaves", defaultValue = "4", description = "octaves (default: ${DEFAULT-VALUE})")
    int octaves;

    @Option(names = "--steps", defaultValue = "10", description = "steps per octave (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--seed", defaultValue = "0", description = "jitter seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--guide", description = "a guide image: dream towards its features at the layer")
    Path guide;

    @Option(names = "--max-side", defaultValue = "512", description = "shrink larger images to this longer side first "
            + "(0: keep; not in the notebook, which dreams at the file's size; default: ${DEFAULT-VALUE})")
    int maxSide;

    @Option(names = "--out", required = true, description = "the PNG to write")
    Path out;

    @Override
    public Integer call() throws IOException {
        LoadedModel model = modelOptions.load().model();
        GoogLeNet net = model.googLeNet().orElseThrow(() -> new IllegalArgumentException(model.description()
                + ": DeepDream needs a GoogLeNet definition"));
        if (model.inputChannels() != 3) {
            throw new IllegalArgumentException(model.description() + ": DeepDream needs a colour model, this one takes "
                    + model.inputChannels() + " channel(s)");
        }
        if (!model.explainer().layers().contains(layer)) {
            throw new IllegalArgumentException("unknown layer '" + layer + "'; choose one of "
                    + model.explainer().layers());
        }
        DeepDream.Settings s = DeepDream.Settings.DEFAULT.with(layer, octaves, steps, seed);
        Preprocess p = model.preprocess();
        Tensor pixels = pixels(shrink(ImageDecoder.decode(image)), p);
        Tensor guidePixels = guide == null ? null : pixels(shrink(ImageDecoder.decode(guide)), p);
        ProgressBar[] bar = new ProgressBar[1]; // one bar per octave
        Tensor dream;
        try {
            dream = DeepDream.dream(net, model.pixelSpace(), pixels, guidePixels, s, (octave, step) -> {
                if (step == 0) {
                    if (bar[0] != null) {
                        bar[0].close();
                    }
                    bar[0] = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "octave %d/%d",
                                    octave + 1, octaves)).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                            .setMaxRenderedLength(100).build();
                }
                bar[0].stepTo(step + 1);
            });
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Overlay.writePng(Overlay.toBuffered(image(dream, p)), out);
        System.out.println(out);
        return 0;
    }

    private RgbImage shrink(RgbImage img) {
        int longer = Math.max(img.width(), img.height());
        if (maxSide <= 0 || longer <= maxSide) {
            return img;
        }
        double f = (double) maxSide / longer;
        return ImageResize.resize(img, Math.max(1, (int) Math.round(img.width() * f)),
                Math.max(1, (int) Math.round(img.height() * f)));
    }

    /** 0–255 pixels [1, 3, H, W] in the model's channel order. */
    static Tensor pixels(RgbImage img, Preprocess p) {
        int w = img.width(), h = img.height();
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            int source = p.channels() == Preprocess.ChannelOrder.BGR ? 2 - c : c;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    d[(c * h + y) * w + x] = img.get(x, y, source);
                }
            }
        }
        return Tensor.of(d, 1, 3, h, w);
    }

    /** Back to an RGB image, rounding each pixel. */
    static RgbImage image(Tensor pixels, Preprocess p) {
        int h = pixels.dim(2), w = pixels.dim(3);
        byte[] rgb = new byte[3 * h * w];
        for (int c = 0; c < 3; c++) {
            int target = p.channels() == Preprocess.ChannelOrder.BGR ? 2 - c : c;
            for (int i = 0; i < h * w; i++) {
                rgb[i * 3 + target] = (byte) Math.round(Math.min(255, Math.max(0, pixels.data()[c * h * w + i])));
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
