package dev.googlenet.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LearningRateScheduleTest {
    static final double EPS = 1e-12;

    @Test
    void paperDecays4PercentEvery8Epochs() {
        LearningRateSchedule s = LearningRateSchedule.paper(0.01, 100);
        assertEquals(0.01, s.at(0), EPS);
        assertEquals(0.01, s.at(799), EPS);       // epoch 7
        assertEquals(0.0096, s.at(800), EPS);     // epoch 8
        assertEquals(0.0096, s.at(1599), EPS);
        assertEquals(0.01 * 0.96 * 0.96, s.at(1600), EPS);
    }

    @Test
    void stepSchedule() {
        LearningRateSchedule s = LearningRateSchedule.step(0.1, 10, 30, 0.1);
        assertEquals(0.1, s.at(299), EPS);
        assertEquals(0.01, s.at(300), EPS);
        assertEquals(0.001, s.at(600), 1e-15);
    }

    @Test
    void cosineGoesFromTheBaseToTheMinimum() {
        LearningRateSchedule s = LearningRateSchedule.cosine(0.1, 100, 0.001);
        assertEquals(0.1, s.at(0), EPS);
        assertEquals(0.001 + 0.099 / 2, s.at(50), EPS);
        assertEquals(0.001 + 0.099 * (1 + Math.cos(Math.PI * 0.25)) / 2, s.at(25), EPS);
        assertEquals(0.001, s.at(100), EPS);
        assertEquals(0.001, s.at(150), EPS);
    }

    @Test
    void oneCycleMatchesPyTorch() {
        // torch.optim.lr_scheduler.OneCycleLR(max_lr=1, total_steps=100) (pct_start 0.3, div 25, final div 1e4):
        // phase 1 ends at step 29 (0.3·100 − 1), phase 2 at step 99
        LearningRateSchedule s = LearningRateSchedule.oneCycle(1.0, 100, 0.3, 25, 1e4);
        assertEquals(0.04, s.at(0), EPS);
        assertEquals(1.0, s.at(29), EPS);
        assertEquals(0.04 / 1e4, s.at(99), EPS);
        double pct = 10 / 29.0; // step 10, rising
        assertEquals(1.0 + (0.04 - 1.0) / 2 * (Math.cos(Math.PI * pct) + 1), s.at(10), EPS);
        double down = (64 - 29) / 70.0; // step 64, falling
        assertEquals(4e-6 + (1.0 - 4e-6) / 2 * (Math.cos(Math.PI * down) + 1), s.at(64), EPS);
    }

    @Test
    void warmupRisesLinearlyToTheScheduleThenHandsOver() {
        LearningRateSchedule s = LearningRateSchedule.cosine(0.1, 100, 0).withWarmup(10);
        double target = LearningRateSchedule.cosine(0.1, 100, 0).at(10);
        assertEquals(target / 10, s.at(0), EPS);
        assertEquals(target * 5 / 10, s.at(4), EPS);
        assertEquals(target, s.at(9), EPS);
        assertEquals(target, s.at(10), EPS);
        assertEquals(LearningRateSchedule.cosine(0.1, 100, 0).at(60), s.at(60), EPS);
        LearningRateSchedule constant = LearningRateSchedule.constant(0.2).withWarmup(4);
        assertEquals(0.05, constant.at(0), EPS);
        assertEquals(0.2, constant.at(3), EPS);
        assertEquals(0.2, constant.at(1000), EPS);
    }

    @Test
    void theRecipeBuildsItsScheduleWithWarmupInEpochs() {
        TrainingConfig c = TrainingConfig.builder().epochs(10).learningRate(0.4).schedule(ScheduleKind.STEP)
                .stepEpochs(3).stepGamma(0.5).warmupEpochs(0.5).build();
        LearningRateSchedule s = c.learningRates(20);
        assertEquals(0.4 / 10, s.at(0), EPS);   // 10 warmup steps
        assertEquals(0.4, s.at(10), EPS);
        assertEquals(0.2, s.at(60), EPS);       // epoch 3
        assertEquals(0.05, s.at(180), EPS);     // epoch 9
        assertEquals(ScheduleKind.ONECYCLE, ScheduleKind.parse("one-cycle"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScheduleKind.parse("linear"));
        assertEquals("unknown schedule 'linear': use paper, step, cosine, onecycle, constant", e.getMessage());
    }
}
