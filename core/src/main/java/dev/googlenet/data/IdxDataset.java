package dev.googlenet.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Gray images and labels from a pair of IDX files ({@code [N, H, W]} unsigned bytes and {@code [N]} labels), as
 * MNIST and Fashion-MNIST ship them. Everything is held in memory (47 MB for Fashion-MNIST's training set).
 */
public final class IdxDataset implements Dataset {
    private final byte[] pixels;
    private final byte[] labels;
    private final int count;
    private final int height;
    private final int width;
    private final List<String> classes;
    private final String description;

    public IdxDataset(IdxFile images, IdxFile labels, List<String> classes, String description) {
        if (images.rank() != 3) {
            throw new IllegalArgumentException(description + ": images must be [N, H, W], got " + images);
        }
        if (labels.rank() != 1) {
            throw new IllegalArgumentException(description + ": labels must be [N], got " + labels);
        }
        if (images.dim(0) != labels.dim(0)) {
            throw new IllegalArgumentException(description + ": " + images.dim(0) + " images but " + labels.dim(0)
                    + " labels");
        }
        this.pixels = images.data();
        this.labels = labels.data();
        this.count = images.dim(0);
        this.height = images.dim(1);
        this.width = images.dim(2);
        this.classes = List.copyOf(classes);
        this.description = description;
        for (int i = 0; i < count; i++) {
            int label = this.labels[i] & 0xFF;
            if (label >= classes.size()) {
                throw new IllegalArgumentException(description + ": label " + label + " of example " + i
                        + " outside the " + classes.size() + " classes");
            }
        }
    }

    /** Reads an image file and a label file (each gzipped or not). */
    public static IdxDataset read(Path images, Path labels, List<String> classes, String description)
            throws IOException {
        IdxFile img = IdxFile.read(images);
        IdxFile lab = IdxFile.read(labels);
        try {
            return new IdxDataset(img, lab, classes, description);
        } catch (IllegalArgumentException e) {
            throw new IOException(images + " / " + labels.getFileName() + ": " + e.getMessage(), e);
        }
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int label(int index) {
        return labels[index] & 0xFF;
    }

    @Override
    public FloatImage image(int index) {
        return FloatImage.fromGray(pixels, index * height * width, height, width);
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String describe() {
        return description;
    }
}
