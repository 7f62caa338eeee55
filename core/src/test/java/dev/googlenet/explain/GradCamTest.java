package dev.googlenet.explain;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The map arithmetic on cases small enough to work by hand. (The parity test against PyTorch,
 * dev.googlenet.model.EvalGradientParityTest, covers GoogLeNet's real maps and the 7→224 upsampling.)
 */
class GradCamTest {

    @Test
    void gradCamWeighsChannelsByTheirMeanGradientAndClampsAtZero() {
        // two channels of 2×2; mean gradients 0.5 and -1
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, /* channel 1 */ 1, 0, 2, 5}, 1, 2, 2, 2);
        Tensor g = Tensor.of(new float[] {0, 1, 0, 1, /* channel 1 */ -1, -1, -2, 0}, 1, 2, 2, 2);
        GradCam.Result r = GradCam.gradCam(a, g);
        assertArrayEquals(new float[] {0.5f, -1f}, r.weights().data(), 1e-7f);
        assertArrayEquals(new int[] {1, 2, 2}, r.map().shape());
        // 0.5·[1,2,3,4] − [1,0,2,5] = [-0.5, 1, -0.5, -3] → ReLU
        assertArrayEquals(new float[] {0, 1, 0, 0}, r.map().data(), 1e-7f);
    }

    @Test
    void camIsTheClassifierRowOverTheChannelsWithoutReluOrBias() {
        Tensor a = Tensor.of(new float[] {1, 2, /* ch1 */ 3, -1, /* image 1: */ 0, 1, /* ch1 */ 1, 1}, 2, 2, 1, 2);
        Tensor fc = Tensor.of(new float[] {9, 9, /* class 1 */ 2, -1, /* class 2 */ -1, 0.5f}, 3, 2);
        GradCam.Result r = GradCam.cam(a, fc, new int[] {1, 2});
        assertArrayEquals(new float[] {2, -1, -1, 0.5f}, r.weights().data());
        // image 0: 2·[1,2] − [3,−1] = [−1, 5]; image 1: −[0,1] + 0.5·[1,1] = [0.5, −0.5]
        assertArrayEquals(new float[] {-1, 5, 0.5f, -0.5f}, r.map().data(), 1e-7f);
        assertThrows(IllegalArgumentException.class, () -> GradCam.cam(a, fc, new int[] {1, 3}));
        assertThrows(IllegalArgumentException.class, () -> GradCam.cam(a, fc, new int[] {1}));
    }

    /**
     * One channel, A = [0.5, 0, 0.25, 0.25] (ΣA = 1), G = [1, −1, 2, 0]: α = G²/(2G² + ΣA·G³) is 1/3 at G = 1 and
     * 4/16 at G = 2; negative and zero gradients add nothing; w = 1/3·1 + 1/4·2 = 5/6.
     */
    @Test
    void gradCamPlusPlusFollowsPytorchGradCamsWeights() {
        Tensor a = Tensor.of(new float[] {0.5f, 0, 0.25f, 0.25f}, 1, 1, 2, 2);
        Tensor g = Tensor.of(new float[] {1, -1, 2, 0}, 1, 1, 2, 2);
        GradCam.Result r = GradCam.gradCamPlusPlus(a, g);
        assertArrayEquals(new float[] {5f / 6}, r.weights().data(), 1e-6f);
        assertArrayEquals(new float[] {5f / 12, 0, 5f / 24, 5f / 24}, r.map().data(), 1e-6f);
    }

    @Test
    void shapesAreChecked() {
        Tensor a = Tensor.zeros(1, 2, 3, 3);
        assertThrows(IllegalArgumentException.class, () -> GradCam.gradCam(a, Tensor.zeros(1, 2, 3, 2)));
        assertThrows(IllegalArgumentException.class, () -> GradCam.gradCam(Tensor.zeros(2, 3), Tensor.zeros(2, 3)));
        assertThrows(IllegalArgumentException.class, () -> GradCam.weightedSum(a, Tensor.zeros(1, 3), true));
    }

    /** F.interpolate(tensor([[1., 2.], [3., 4.]])[None, None], size=4, mode="bilinear", align_corners=False). */
    @Test
    void bilinearUpsamplingMatchesPytorchWithoutAlignedCorners() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2);
        Tensor up = Heatmaps.upsampleBilinear(m, 4, 4);
        assertArrayEquals(new float[] {
                1.0f, 1.25f, 1.75f, 2.0f,
                1.5f, 1.75f, 2.25f, 2.5f,
                2.5f, 2.75f, 3.25f, 3.5f,
                3.0f, 3.25f, 3.75f, 4.0f}, up.data(), 1e-6f);
    }

    /**
     * A non-integer ratio, both ways: 3 → 2 reads source 0.25 and 1.75 (scale 1.5); 2 → 3 reads −1/6 (clamped to 0),
     * 0.5 and 7/6 (past the last pixel: the last pixel itself). Rows and columns independently, images apart.
     */
    @Test
    void bilinearUpsamplingAtOtherRatios() {
        Tensor row = Tensor.of(new float[] {0, 1, 2, /* image 1 */ 5, 5, 5}, 2, 1, 3);
        assertArrayEquals(new float[] {0.25f, 1.75f, 5, 5}, Heatmaps.upsampleBilinear(row, 1, 2).data(), 1e-6f);
        Tensor two = Tensor.of(new float[] {0, 6}, 1, 2, 1);
        assertArrayEquals(new float[] {0, 3, 6}, Heatmaps.upsampleBilinear(two, 3, 1).data(), 1e-6f);
        Tensor same = Tensor.of(new float[] {3, -1, 2, 7}, 1, 2, 2);
        assertArrayEquals(same.data(), Heatmaps.upsampleBilinear(same, 2, 2).data(), "same size: the identity");
    }

    @Test
    void minMaxScalingIsPerImageAndLeavesConstantMapsAtZero() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 5, /* image 1: constant */ 4, 4, 4, 4}, 2, 2, 2);
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 1, 0, 0, 0, 0}, Heatmaps.minMaxScale(m).data(), 1e-7f);
        Tensor h = Heatmaps.heatmap(Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2), 4, 4);
        // the 4×4 upsampling above runs from 1 to 4: (v − 1)/3
        assertArrayEquals(new float[] {0, 1 / 12f, 0.25f, 1 / 3f}, java.util.Arrays.copyOf(h.data(), 4), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> Heatmaps.minMaxScale(Tensor.zeros(2, 2)));
    }
}
