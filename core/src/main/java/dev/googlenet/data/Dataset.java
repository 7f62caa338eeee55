package dev.googlenet.data;

import java.io.IOException;
import java.util.List;

/**
 * Labelled images addressed by index, read on demand (the {@link DataLoader} reads them on background threads,
 * so implementations must allow concurrent {@link #image} calls). Labels are cheap: splits and class counts read
 * them without decoding.
 */
public interface Dataset {

    int size();

    /** Class index of example {@code index}, in {@code 0 .. classes().size() - 1}. */
    int label(int index);

    /** The example's image, decoded but not augmented, values in [0, 1]. Thread-safe. */
    FloatImage image(int index) throws IOException;

    /** Class names; position is the class index. */
    List<String> classes();

    /** A short description for logs and checkpoints ("fashion-mnist train", a folder path). */
    default String describe() {
        return getClass().getSimpleName() + " (" + size() + " examples)";
    }

    /** The examples at {@code indices}, in that order (a view, nothing is copied or decoded). */
    default Dataset subset(int[] indices) {
        return new SubsetDataset(this, indices);
    }

    /** Number of examples of each class. */
    default int[] classCounts() {
        int[] counts = new int[classes().size()];
        for (int i = 0; i < size(); i++) {
            counts[label(i)]++;
        }
        return counts;
    }
}
