package dev.googlenet.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The learning-rate schedules by name, as the command line and checkpoints spell them. */
public enum ScheduleKind {
    /** ×0.96 every 8 epochs. */
    PAPER,
    /** ×gamma every N epochs. */
    STEP,
    /** Cosine annealing to a minimum over the whole run. */
    COSINE,
    /** One cycle: up over the first 30%, then down. */
    ONECYCLE,
    /** No change. */
    CONSTANT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScheduleKind parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown schedule '" + s + "': use " + Arrays.stream(values())
                    .map(ScheduleKind::label).collect(Collectors.joining(", ")));
        }
    }
}
