package dev.googlenet.infer;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * The start of fine-tuning: a pretrained GoogLeNet's backbone with a new classifier for other classes. Every
 * trunk tensor but the classifier's is copied from the source (weights, biases, BatchNorm statistics); the
 * classifier {@code fc} and the auxiliary heads are freshly initialized, as torchvision's fine-tuning does (its
 * pretrained aux heads were not trained for ImageNet's accuracy and it warns about them).
 */
public final class FineTuning {
    private FineTuning() {
    }

    /**
     * A new GoogLeNet with {@code source}'s architecture (variant, width, stem, input channels, BatchNorm or
     * folded) and weights, and a fresh head for {@code numClasses} classes; aux heads when {@code auxHeads}.
     *
     * @param seed seeds the new head's initial weights (and the dropout masks)
     */
    public static GoogLeNet fromPretrained(LoadedModel source, int numClasses, boolean auxHeads, long seed) {
        GoogLeNet from = source.googLeNet().orElseThrow(() -> new IllegalArgumentException(source.description()
                + ": not a GoogLeNet our model can hold, so it cannot be fine-tuned"));
        GoogLeNetConfig c = from.config();
        GoogLeNet model = new GoogLeNet(new GoogLeNetConfig(c.variant(), numClasses, auxHeads, c.dropout(),
                c.auxDropout(), seed, c.inputChannels(), c.width(), c.smallInput(), c.batchNorm()));
        Map<String, Tensor> pretrained = from.stateDict();
        for (var e : model.stateDict().entrySet()) {
            if (isNewHead(e.getKey())) {
                continue;
            }
            Tensor src = pretrained.get(e.getKey());
            if (src == null || !src.hasShape(e.getValue().shape())) { // the same configuration: cannot happen
                throw new IllegalStateException("source model lacks '" + e.getKey() + "' of the same shape");
            }
            System.arraycopy(src.data(), 0, e.getValue().data(), 0, src.size());
            e.getValue().markChanged();
        }
        return model;
    }

    /** The tensors fine-tuning builds anew: the classifier and the auxiliary heads. */
    public static boolean isNewHead(String stateName) {
        return List.of("fc.", "aux1.", "aux2.").stream().anyMatch(stateName::startsWith);
    }
}
