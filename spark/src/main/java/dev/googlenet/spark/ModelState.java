package dev.googlenet.spark;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A GoogLeNet's parameters (and, separately, its buffers: BatchNorm's running statistics) as one flat float
 * vector, in the model's state-dict order: what the driver broadcasts each step and a task sends back.
 */
final class ModelState {
    private ModelState() {
    }

    static List<Tensor> params(GoogLeNet model) {
        List<Tensor> out = new ArrayList<>();
        for (Param p : model.parameters()) {
            out.add(p.value());
        }
        return out;
    }

    static List<Tensor> gradients(GoogLeNet model) {
        List<Tensor> out = new ArrayList<>();
        for (Param p : model.parameters()) {
            out.add(p.grad());
        }
        return out;
    }

    static List<Tensor> buffers(GoogLeNet model) {
        List<Tensor> out = new ArrayList<>();
        model.visitState(new Layer.StateVisitor() {
            @Override
            public void param(String name, Param param) {
            }

            @Override
            public void buffer(String name, Tensor buffer) {
                out.add(buffer);
            }
        });
        return out;
    }

    /** The tensors' values one after another, each multiplied by {@code scale} (1: copied as they are). */
    static float[] flatten(List<Tensor> tensors, float scale) {
        int total = 0;
        for (Tensor t : tensors) {
            total += t.size();
        }
        float[] out = new float[total];
        int at = 0;
        for (Tensor t : tensors) {
            float[] d = t.data();
            for (int i = 0; i < t.size(); i++) {
                out[at + i] = scale == 1f ? d[i] : d[i] * scale;
            }
            at += t.size();
        }
        return out;
    }

    /** Copies a flat vector back into the tensors (marking them changed, so cached derived data is redone). */
    static void load(List<Tensor> tensors, float[] flat) {
        int at = 0;
        for (Tensor t : tensors) {
            System.arraycopy(flat, at, t.data(), 0, t.size());
            t.markChanged();
            at += t.size();
        }
        if (at != flat.length) {
            throw new IllegalArgumentException("a state of " + flat.length + " values for tensors of " + at);
        }
    }
}
