package dev.googlenet.train;

/** The loss became NaN or infinite: training stopped, the last good checkpoint was kept. */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final long step;
    private final int lastGoodEpoch;

    TrainingDivergedException(String message, int epoch, long step, int lastGoodEpoch) {
        super(message);
        this.epoch = epoch;
        this.step = step;
        this.lastGoodEpoch = lastGoodEpoch;
    }

    /** 1-based epoch in which the loss diverged. */
    public int epoch() {
        return epoch;
    }

    /** Global step (0-based) whose loss was not finite. */
    public long step() {
        return step;
    }

    /** The epoch of the checkpoint kept (0 when none had been written). */
    public int lastGoodEpoch() {
        return lastGoodEpoch;
    }
}
