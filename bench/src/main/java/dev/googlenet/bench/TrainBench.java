package dev.googlenet.bench;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** One training step: forward with both aux heads, the paper's loss, backward, SGD with momentum. */
@State(Scope.Benchmark)
public class TrainBench {
    @Param({"32"})
    public int batch;

    private GoogLeNet model;
    private Tensor input;
    private int[] labels;
    private Sgd sgd;

    @Setup
    public void setup() {
        model = Models.torchvision(true);
        input = Models.randomImages(batch, 11);
        labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = (i * 37) % 1000;
        }
        // a small learning rate keeps 20+ steps on the same batch numerically tame
        sgd = new Sgd(model.parameters(), 1e-4f, 0.9f, 2e-4f, false);
    }

    @Benchmark
    public float step() {
        sgd.zeroGrad();
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(model.forwardTrain(input), labels,
                GoogLeNetLoss.PAPER_AUX_WEIGHT);
        model.backward(loss.gradients(), false);
        sgd.step();
        return loss.total();
    }
}
