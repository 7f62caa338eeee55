package dev.googlenet.data;

import java.io.IOException;
import java.util.List;

/** Some examples of another dataset, by index (a view). */
public final class SubsetDataset implements Dataset {
    private final Dataset base;
    private final int[] indices;

    public SubsetDataset(Dataset base, int[] indices) {
        this.base = base;
        this.indices = indices.clone();
        for (int i : this.indices) {
            if (i < 0 || i >= base.size()) {
                throw new IndexOutOfBoundsException("subset index " + i + " outside 0.." + (base.size() - 1));
            }
        }
    }

    public Dataset base() {
        return base;
    }

    /** The base dataset's index of each example. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int label(int index) {
        return base.label(indices[index]);
    }

    @Override
    public FloatImage image(int index) throws IOException {
        return base.image(indices[index]);
    }

    @Override
    public List<String> classes() {
        return base.classes();
    }

    @Override
    public String describe() {
        return base.describe() + " [" + indices.length + " of " + base.size() + "]";
    }
}
