package dev.googlenet.plan;

/**
 * Receives the time of every operation an inference plan runs, for profiles ({@code googlenet bench}). Optional
 * and per call: a plan run without a listener measures nothing. Called on the thread that runs the plan.
 */
@FunctionalInterface
public interface PlanListener {
    /**
     * @param stage        the model stage the operation belongs to ({@code conv1}, {@code inception4a}, …)
     * @param op           the kind of operation ({@code conv 3×3/1}, {@code max pool}, …), for totals by kind
     * @param detail       the operation's shape, for totals by shape ({@code 480→64 14×14})
     * @param nanos        wall time
     * @param multiplyAdds multiply-adds done (0 for operations that do none)
     */
    void onOp(String stage, String op, String detail, long nanos, long multiplyAdds);
}
