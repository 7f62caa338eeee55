package dev.googlenet.spark;

import java.io.Serializable;

/**
 * What the driver ships to the tasks each step (one broadcast): the parameters, the BatchNorm running statistics
 * (rank 0's, as PyTorch DDP broadcasts buffers), and where in the schedule the step is.
 */
record StepInput(float[] params, float[] buffers, int epoch, int step) implements Serializable {
}
