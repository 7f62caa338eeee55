package dev.googlenet.spark;

/**
 * Where one data-parallel step's wall time went, in nanoseconds: {@code ship} the driver broadcasting the weights
 * plus the slowest task's fetch of them; {@code compute} the slowest task's forward and backward; {@code aggregate}
 * the rest of the Spark job (scheduling, sending gradients, summing them); {@code update} the driver's optimizer.
 */
public record StepTimes(long ship, long compute, long aggregate, long update) {
    public long total() {
        return ship + compute + aggregate + update;
    }
}
