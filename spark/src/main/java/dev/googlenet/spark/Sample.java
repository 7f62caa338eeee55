package dev.googlenet.spark;

import java.io.Serializable;

/** One training sample: an image prepared as the model's input [C, S, S] (flattened) and its class. */
public record Sample(float[] pixels, int label) implements Serializable {
}
