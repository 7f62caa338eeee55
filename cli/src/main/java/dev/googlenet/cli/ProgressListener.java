package dev.googlenet.cli;

import dev.googlenet.train.EpochMetrics;
import dev.googlenet.train.TrainingListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * A live progress bar per epoch (images, images/s, loss, learning rate, ETA) and one summary line per epoch.
 * Without a bar (not a terminal, or {@code --no-progress}) only the summary lines are printed.
 */
final class ProgressListener implements TrainingListener {
    private final PrintStream out;
    private final boolean bar;
    private ProgressBar current;

    ProgressListener(PrintStream out, boolean bar) {
        this.out = out;
        this.bar = bar;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batches, int examples) {
        if (bar) {
            current = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                    .setInitialMax(examples).setUnit(" img", 1).showSpeed().setSpeedUnit(ChronoUnit.SECONDS)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setMaxRenderedLength(120)
                    .setEtaFunction(state -> java.util.Optional.ofNullable(eta(state.getCurrent(), state.getMax(),
                            state.getElapsedAfterStart())))
                    .continuousUpdate().build();
        }
    }

    private static Duration eta(long done, long max, Duration elapsed) {
        if (done <= 0) {
            return null;
        }
        return elapsed.multipliedBy(max - done).dividedBy(done);
    }

    @Override
    public void stepFinished(Progress p) {
        if (current != null) {
            current.stepTo(p.examples());
            current.setExtraMessage(String.format(Locale.ROOT, " loss %.4f lr %.3g", p.meanLoss(), p.learningRate()));
        }
    }

    @Override
    public void validating(int epoch, int examples) {
        if (current != null) {
            current.setExtraMessage(" validating " + examples + " images…");
            current.refresh();
        }
    }

    @Override
    public void epochFinished(EpochMetrics m, List<EpochMetrics> history, Path runFolder) {
        if (current != null) {
            current.close();
            current = null;
        }
        out.println(summary(m));
    }

    static String summary(EpochMetrics m) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "epoch %d: loss %.4f (main %.4f", m.epoch(), m.trainLoss(), m.trainLossMain()));
        if (!Double.isNaN(m.trainLossAux1())) {
            sb.append(String.format(Locale.ROOT, ", aux %.4f/%.4f", m.trainLossAux1(), m.trainLossAux2()));
        }
        sb.append(String.format(Locale.ROOT, "), train top-1 %.2f%%", 100 * m.trainTop1()));
        if (!Double.isNaN(m.valTop1())) {
            sb.append(String.format(Locale.ROOT, ", val top-1 %.2f%% top-5 %.2f%% (%s weights)", 100 * m.valTop1(),
                    100 * m.valTop5(), m.valWeights()));
        }
        if (!Double.isNaN(m.testTop1())) {
            sb.append(String.format(Locale.ROOT, ", test top-1 %.2f%%", 100 * m.testTop1()));
            if (!Double.isNaN(m.testTop1Mirror())) {
                sb.append(String.format(Locale.ROOT, " (%.2f%% with mirroring)", 100 * m.testTop1Mirror()));
            }
        }
        sb.append(String.format(Locale.ROOT, ", lr %.3g, %.0f img/s, %.1f s (waited %.1f s for data), %.1f min in all",
                m.learningRate(), m.imagesPerSecond(), m.seconds(), m.dataWaitSeconds(), m.elapsedSeconds() / 60));
        return sb.toString();
    }
}
