package dev.googlenet.data;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Images sorted into one sub-folder per class, as torchvision's {@code ImageFolder}: {@code root/cat/001.jpg},
 * {@code root/dog/xyz.png}. Classes are the sub-folder names in sorted order (their position is the label);
 * each class folder is searched recursively for files with an image extension, sorted by path. Hidden files and
 * folders (names starting with a dot) are skipped. Decoding is left to an {@link ImageFileDecoder}, called
 * lazily (on the loader's threads).
 */
public final class ImageFolderDataset implements Dataset {
    /** Extensions recognised as images (torchvision's {@code IMG_EXTENSIONS}), compared without case. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff",
            "webp", "gif");

    private final Path root;
    private final List<String> classes;
    private final List<Path> files;
    private final int[] labels;
    private final ImageFileDecoder decoder;

    private ImageFolderDataset(Path root, List<String> classes, List<Path> files, int[] labels,
                               ImageFileDecoder decoder) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.files = List.copyOf(files);
        this.labels = labels;
        this.decoder = decoder;
    }

    /** Scans {@code root}; fails when it has no class folders or a class folder has no images. */
    public static ImageFolderDataset scan(Path root, ImageFileDecoder decoder) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a folder (an image-folder dataset has one sub-folder per class)");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !hidden(p)).sorted().toList();
        }
        if (classDirs.isEmpty()) {
            throw new IOException(root + ": no class sub-folders (expected root/CLASS/IMAGE files)");
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            List<Path> images;
            try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
                images = s.filter(Files::isRegularFile)
                        .filter(p -> !hidden(p) && isImage(p) && noHiddenParent(dir, p))
                        .sorted().toList();
            }
            if (images.isEmpty()) {
                throw new IOException(dir + ": no image files in class folder '" + dir.getFileName()
                        + "' (extensions " + EXTENSIONS.stream().sorted().toList() + ")");
            }
            for (Path p : images) {
                files.add(p);
                labels.add(label);
            }
        }
        return new ImageFolderDataset(root, classes, files,
                labels.stream().mapToInt(Integer::intValue).toArray(), decoder);
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static boolean noHiddenParent(Path dir, Path file) {
        for (Path part : dir.relativize(file)) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    public Path root() {
        return root;
    }

    /** The image file of example {@code index}. */
    public Path file(int index) {
        return files.get(index);
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public FloatImage image(int index) throws IOException {
        FloatImage img = decoder.decode(files.get(index));
        if (img == null) {
            throw new IOException(files.get(index) + ": the decoder returned no image");
        }
        return img;
    }

    @Override
    public List<String> classes() {
        return classes;
    }

    @Override
    public String describe() {
        return root.toString();
    }
}
