package dev.googlenet.train;

import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Transform;
import dev.googlenet.model.GoogLeNet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The training process {@link CrashSafetyTest} kills: a tiny, deterministic three-epoch run that resumes from its
 * folder when it can. {@code pauseAt} stops it at a named moment — {@code step:N} (after optimizer step N),
 * {@code file:NAME} (after the run folder's file NAME was written) — where it prints {@code PAUSED} and waits to
 * be killed; {@code none} runs to the end.
 */
final class CrashSafetyRun {
    static final int EPOCHS = 3;

    private CrashSafetyRun() {
    }

    static Trainer trainer(Path folder, DataLoader train) {
        TrainingConfig recipe = TrainingConfig.builder().epochs(EPOCHS).batchSize(6).learningRate(0.05)
                .momentum(0.9f).emaDecay(0.9).labelSmoothing(0.1f).seed(5).build();
        return new Trainer(new GoogLeNet(TrainerTest.tinyModel()), recipe, train, null, folder);
    }

    static DataLoader loader() {
        return TrainerTest.loader(new TrainerTest.Bars(12), 6, Transform.identity(), 5, 0);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path folder = Path.of(args[0]);
        String pauseAt = args[1];
        try (DataLoader train = loader()) {
            Trainer t = trainer(folder, train);
            t.addListener(new TrainingListener() {
                @Override
                public void stepFinished(Progress p) {
                    pause(("step:" + t.step()).equals(pauseAt));
                }

                @Override
                public void fileWritten(Path file) {
                    pause(("file:" + file.getFileName()).equals(pauseAt));
                }
            });
            System.out.println(t.resume() ? "RESUMED after epoch " + t.completedEpochs() : "STARTED");
            t.fit();
            System.out.println(String.format(Locale.ROOT, "DONE step %d", t.step()));
        }
    }

    /** Tells the test it is at the moment, then waits (bounded) for the kill. */
    private static void pause(boolean now) {
        if (!now) {
            return;
        }
        System.out.println("PAUSED");
        System.out.flush();
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(3); // not killed: the test failed to; end without writing anything more
    }
}
