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
    private final List<Skipped> skipped;

    /** A file left out because it could not be read, and why (one line, without the file name). */
    public record Skipped(Path file, String reason) {
    }

    private ImageFolderDataset(Path root, List<String> classes, List<Path> files, int[] labels,
                               ImageFileDecoder decoder, List<Skipped> skipped) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.files = List.copyOf(files);
        this.labels = labels;
        this.decoder = decoder;
        this.skipped = List.copyOf(skipped);
    }

    /**
     * {@link #scan}, then every image decoded once (in parallel): the files that cannot be read (truncated, not an
     * image, empty) are left out and listed in {@link #skipped()}, so that training and evaluation never stop on
     * one bad file. A class none of whose files can be read is an error, as is a folder with fewer than
     * {@code minClasses} classes.
     */
    public static ImageFolderDataset scanReadable(Path root, ImageFileDecoder decoder, int minClasses)
            throws IOException {
        ImageFolderDataset all = scan(root, decoder);
        if (all.classes.size() < minClasses) {
            throw new IOException(root + ": " + all.classes.size() + " class folder" + (all.classes.size() == 1
                    ? " ('" + all.classes.getFirst() + "')" : "s") + "; a classifier needs at least " + minClasses
                    + " (one sub-folder of images per class)");
        }
        String[] problems = new String[all.size()];
        java.util.stream.IntStream.range(0, all.size()).parallel().forEach(i -> {
            try {
                if (decoder.decode(all.files.get(i)) == null) {
                    problems[i] = "the decoder returned no image";
                }
            } catch (IOException | RuntimeException e) {
                problems[i] = reason(all.files.get(i), e);
            }
        });
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int[] readable = new int[all.classes.size()];
        for (int i = 0; i < all.size(); i++) {
            if (problems[i] != null) {
                skipped.add(new Skipped(all.files.get(i), problems[i]));
            } else {
                files.add(all.files.get(i));
                labels.add(all.labels[i]);
                readable[all.labels[i]]++;
            }
        }
        for (int c = 0; c < readable.length; c++) {
            if (readable[c] == 0) {
                Path dir = root.resolve(all.classes.get(c));
                throw new IOException(dir + ": none of the images of class '" + all.classes.get(c) + "' can be read ("
                        + skipped.stream().filter(s -> s.file().startsWith(dir)).findFirst()
                        .map(s -> s.file().getFileName() + ": " + s.reason()).orElse("") + ")");
            }
        }
        return new ImageFolderDataset(root, all.classes, files, labels.stream().mapToInt(Integer::intValue).toArray(),
                decoder, skipped);
    }

    /** The problem without the file name the decoder's message starts with. */
    private static String reason(Path file, Exception e) {
        if (e instanceof ImageDecodeException d) {
            return d.problem();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = file + ": ";
        return ImageDecodeException.oneLine(m.startsWith(prefix) ? m.substring(prefix.length()) : m);
    }

    /** Files {@link #scanReadable} left out, with the reason; empty after a plain {@link #scan}. */
    public List<Skipped> skipped() {
        return skipped;
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
                labels.stream().mapToInt(Integer::intValue).toArray(), decoder, List.of());
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
