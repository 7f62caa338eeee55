package dev.googlenet.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A step of a data pipeline: augmentation (random crops, flips, colour changes) or normalization. All randomness
 * comes from the generator passed in, which the {@link DataLoader} derives from its seed, the epoch and the
 * example's position, so a pipeline gives the same images on every run whatever the thread timing. A transform
 * must not change its input image.
 */
@FunctionalInterface
public interface Transform {

    FloatImage apply(FloatImage image, RandomGenerator random);

    /** This transform, then {@code next}. */
    default Transform then(Transform next) {
        return compose(List.of(this, next));
    }

    /** The transforms in order. */
    static Transform compose(List<Transform> steps) {
        List<Transform> copy = List.copyOf(steps);
        return (image, random) -> {
            FloatImage x = image;
            for (Transform t : copy) {
                x = t.apply(x, random);
            }
            return x;
        };
    }

    static Transform identity() {
        return (image, random) -> image;
    }
}
