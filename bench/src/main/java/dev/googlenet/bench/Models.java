package dev.googlenet.bench;

import dev.googlenet.io.StateDicts;
import dev.googlenet.kernels.Engine;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

/** The model both engines run: torchvision's GoogLeNet with the reference's random weights. */
final class Models {
    private Models() {
    }

    static GoogLeNet torchvision(boolean aux) {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(aux).build());
        try {
            StateDicts.load(ReferenceFiles.file("tv_state.safetensors"), model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }

    static Tensor randomImages(int batch, long seed) {
        Tensor x = Tensor.zeros(batch, 3, 224, 224);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] d = x.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (rnd.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** Our engine's thread count (googlenet.threads, read by the engine's options): ONNX Runtime gets as many. */
    static int threads() {
        return Engine.options().threads();
    }
}
