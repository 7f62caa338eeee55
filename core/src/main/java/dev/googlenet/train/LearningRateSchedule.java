package dev.googlenet.train;

/**
 * The learning rate at each optimizer step (step 0 is the first). Schedules defined in epochs change at epoch
 * boundaries, {@code stepsPerEpoch} steps apart; the others change every step.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    double at(long step);

    /** The same rate throughout. */
    static LearningRateSchedule constant(double lr) {
        return step -> lr;
    }

    /** The paper's: "decreasing the learning rate by 4% every 8 epochs", i.e. {@code lr · 0.96^⌊epoch / 8⌋}. */
    static LearningRateSchedule paper(double lr, int stepsPerEpoch) {
        return step(lr, stepsPerEpoch, 8, 0.96);
    }

    /** {@code lr · gamma^⌊epoch / everyEpochs⌋}. */
    static LearningRateSchedule step(double lr, int stepsPerEpoch, int everyEpochs, double gamma) {
        if (stepsPerEpoch < 1 || everyEpochs < 1) {
            throw new IllegalArgumentException("step schedule: need steps per epoch ≥ 1 and a period ≥ 1 epoch");
        }
        return step -> lr * Math.pow(gamma, (step / stepsPerEpoch) / everyEpochs);
    }

    /**
     * Cosine annealing from {@code lr} at step 0 to {@code minLr} at {@code totalSteps}:
     * {@code minLr + (lr − minLr)·(1 + cos(π·step/totalSteps))/2} (PyTorch's {@code CosineAnnealingLR} with
     * {@code T_max = totalSteps}, stepped every batch).
     */
    static LearningRateSchedule cosine(double lr, long totalSteps, double minLr) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("cosine schedule: need at least one step");
        }
        return step -> {
            double t = Math.min(step, totalSteps);
            return minLr + (lr - minLr) * (1 + Math.cos(Math.PI * t / totalSteps)) / 2;
        };
    }

    /**
     * Smith's one-cycle policy as PyTorch's {@code OneCycleLR} (cosine annealing, two phases): from
     * {@code maxLr/divFactor} up to {@code maxLr} over the first {@code pctStart} of the steps, then down to
     * {@code maxLr/(divFactor·finalDivFactor)} at the last step.
     */
    static LearningRateSchedule oneCycle(double maxLr, long totalSteps, double pctStart, double divFactor,
                                         double finalDivFactor) {
        if (totalSteps < 2 || !(pctStart > 0 && pctStart < 1)) {
            throw new IllegalArgumentException("one-cycle schedule: need ≥ 2 steps and 0 < pctStart < 1");
        }
        double initial = maxLr / divFactor, min = initial / finalDivFactor;
        double end1 = pctStart * totalSteps - 1, end2 = totalSteps - 1;
        return step -> {
            double s = Math.min(step, end2);
            if (s <= end1) {
                return anneal(initial, maxLr, end1 <= 0 ? 1 : s / end1);
            }
            return anneal(maxLr, min, (s - end1) / (end2 - end1));
        };
    }

    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }

    /**
     * Linear warmup: during the first {@code warmupSteps} steps the rate rises linearly to the one this schedule
     * has at step {@code warmupSteps} ({@code at(W)·(step+1)/W}), then this schedule takes over unchanged.
     */
    default LearningRateSchedule withWarmup(long warmupSteps) {
        if (warmupSteps <= 0) {
            return this;
        }
        double target = at(warmupSteps);
        return step -> step < warmupSteps ? target * (step + 1) / warmupSteps : at(step);
    }
}
