package dev.googlenet.spark;

import java.io.Serializable;

/**
 * How a data-parallel run trains: the global batch (split evenly over the partitions), epochs, SGD's settings
 * (PyTorch semantics, {@link dev.googlenet.train.Sgd}), the aux heads' loss weight and the seed of the sample order.
 */
public record TrainSettings(int globalBatch, int epochs, float learningRate, float momentum, float weightDecay,
                            boolean nesterov, float auxWeight, long seed) implements Serializable {
    public TrainSettings {
        if (globalBatch < 1 || epochs < 1) {
            throw new IllegalArgumentException("global batch and epochs must be positive, got " + globalBatch
                    + " and " + epochs);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
        }
    }
}
