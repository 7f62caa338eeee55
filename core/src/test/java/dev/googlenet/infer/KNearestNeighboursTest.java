package dev.googlenet.infer;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KNearestNeighboursTest {

    @Test
    void votesAmongTheMostSimilarByCosine() {
        // three labelled directions; length does not matter, only the angle
        Tensor ref = Tensor.of(new float[] {1, 0, 5, 0.5f, 0, 1, 0, 3, -1, 0}, 5, 2);
        int[] labels = {0, 0, 1, 1, 2};
        KNearestNeighbours one = new KNearestNeighbours(ref, labels, 1);
        Tensor q = Tensor.of(new float[] {10, 1, 0.1f, 2, -3, 0.2f}, 3, 2);
        assertArrayEquals(new int[] {0, 1, 2}, one.classify(q));
        // k 3 for (−3, 0.2): its neighbours are label 2 (−1,0), then 1 (0,1)/(0,3) — two votes for 1
        KNearestNeighbours three = new KNearestNeighbours(ref, labels, 3);
        assertArrayEquals(new int[] {0, 1, 1}, three.classify(q));
        // a tie (k 2: one vote each) goes to the more similar neighbour's label
        KNearestNeighbours two = new KNearestNeighbours(ref, labels, 2);
        assertArrayEquals(new int[] {2}, two.classify(Tensor.of(new float[] {-3, 0.2f}, 1, 2)));
        assertThrows(IllegalArgumentException.class, () -> one.classify(Tensor.of(new float[] {1, 2, 3}, 1, 3)));
    }
}
