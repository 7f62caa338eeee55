package dev.googlenet.train;

import java.nio.file.Path;
import java.util.List;

/** Follows a {@link Trainer}: progress bars, plots, logs. Called on the training thread; keep it quick. */
public interface TrainingListener {

    /**
     * After each training step of an epoch.
     *
     * @param epoch           1-based
     * @param batch           batches done in this epoch
     * @param examples        examples done in this epoch
     * @param meanLoss        mean total loss of the epoch so far
     * @param learningRate    the rate of the step just taken
     * @param imagesPerSecond training throughput of the epoch so far
     */
    record Progress(int epoch, int epochs, int batch, int batches, int examples, int examplesPerEpoch,
                    double meanLoss, double learningRate, double imagesPerSecond, double seconds) {
    }

    default void epochStarted(int epoch, int epochs, int batches, int examples) {
    }

    default void stepFinished(Progress progress) {
    }

    /** Validation of the epoch starts (after its last step). */
    default void validating(int epoch, int examples) {
    }

    /** The epoch is done and checkpointed; {@code history} holds every epoch so far, this one last. */
    /**
     * A file of the run folder was written (atomically, and synced): each tensor file of a checkpoint, then
     * checkpoint.json (the commit), then the metrics. Between two calls the folder is in a state a crash may leave.
     */
    default void fileWritten(Path file) {
    }

    default void epochFinished(EpochMetrics metrics, List<EpochMetrics> history, Path runFolder) {
    }
}
