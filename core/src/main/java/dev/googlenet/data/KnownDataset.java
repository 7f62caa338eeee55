package dev.googlenet.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The IDX datasets known by name: where their files are looked for, their classes and normalization.
 * A dataset folder holds {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each optionally gzipped ({@code .gz}).
 */
public enum KnownDataset {
    /** Zalando's Fashion-MNIST: 60,000 + 10,000 gray 28×28 images of 10 kinds of clothing. */
    FASHION_MNIST("fashion-mnist", List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot"), 0.2860f, 0.3530f,
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
    /** LeCun's handwritten digits: 60,000 + 10,000 gray 28×28 images. */
    MNIST("mnist", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), 0.1307f, 0.3081f,
            "https://ossci-datasets.s3.amazonaws.com/mnist/");

    /** Which part of the dataset. */
    public enum Part {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Part(String prefix) {
            this.prefix = prefix;
        }
    }

    private final String folderName;
    private final List<String> classes;
    private final float mean;
    private final float std;
    private final String downloadBase;

    KnownDataset(String folderName, List<String> classes, float mean, float std, String downloadBase) {
        this.folderName = folderName;
        this.classes = classes;
        this.mean = mean;
        this.std = std;
        this.downloadBase = downloadBase;
    }

    /** "fashion-mnist", "mnist": the name on the command line and of the folder. */
    public String folderName() {
        return folderName;
    }

    public List<String> classes() {
        return classes;
    }

    /** Mean of the training pixels in [0, 1]. */
    public float mean() {
        return mean;
    }

    /** Standard deviation of the training pixels in [0, 1]. */
    public float std() {
        return std;
    }

    public URI defaultDownloadBase() {
        return URI.create(downloadBase);
    }

    /** The dataset named {@code name} ("fashion-mnist", "mnist"), or null. */
    public static KnownDataset byName(String name) {
        for (KnownDataset d : values()) {
            if (d.folderName.equalsIgnoreCase(name.trim()) || d.name().equalsIgnoreCase(name.trim())) {
                return d;
            }
        }
        return null;
    }

    /** The four file names, without {@code .gz}. */
    public static List<String> fileNames() {
        return List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte");
    }

    /** Reads one part from a folder holding the files. */
    public IdxDataset load(Path folder, Part part) throws IOException {
        Path images = find(folder, part.prefix + "-images-idx3-ubyte");
        Path labels = find(folder, part.prefix + "-labels-idx1-ubyte");
        return IdxDataset.read(images, labels, classes, folderName + " " + part.name().toLowerCase(Locale.ROOT));
    }

    private static Path find(Path folder, String name) throws IOException {
        for (String candidate : List.of(name + ".gz", name)) {
            Path p = folder.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException(folder + ": no " + name + ".gz (or " + name + ")");
    }

    /** Whether {@code folder} holds all four files. */
    public static boolean isComplete(Path folder) {
        for (String n : fileNames()) {
            if (!Files.isRegularFile(folder.resolve(n + ".gz")) && !Files.isRegularFile(folder.resolve(n))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The folders searched, in order, when no explicit path is given: {@code $GOOGLENET_SHARED/datasets/NAME},
     * {@code shared/datasets/NAME} beside the working directory or any of its parents, and beside the folder of the
     * installed program or any of its parents (the project's {@code ../shared}), {@code /usr/share/datasets/NAME},
     * and the download cache {@code ~/.cache/googlenet/datasets/NAME}.
     */
    public List<Path> searchPath() {
        java.util.LinkedHashSet<Path> out = new java.util.LinkedHashSet<>();
        String shared = System.getenv("GOOGLENET_SHARED");
        if (shared != null && !shared.isBlank()) {
            out.add(Path.of(shared, "datasets", folderName));
        }
        addSiblingsUpwards(Path.of("").toAbsolutePath(), out);
        try {
            var source = KnownDataset.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                addSiblingsUpwards(Path.of(source.getLocation().toURI()).toAbsolutePath(), out);
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // no usable location of the program: the other places remain
        }
        out.add(Path.of("/usr/share/datasets", folderName));
        out.add(cacheFolder());
        return new ArrayList<>(out);
    }

    private void addSiblingsUpwards(Path start, java.util.Set<Path> out) {
        for (Path dir = start.normalize(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            out.add(dir.resolveSibling("shared").resolve("datasets").resolve(folderName));
        }
    }

    /** Where {@link #download} puts the files: {@code ~/.cache/googlenet/datasets/NAME}. */
    public Path cacheFolder() {
        return Path.of(System.getProperty("user.home"), ".cache", "googlenet", "datasets", folderName);
    }

    /**
     * The folder holding the files: {@code explicit} when given (it must hold them), otherwise the first complete
     * folder of {@link #searchPath()}. The error names every place looked at.
     */
    public Path locate(Path explicit) throws IOException {
        if (explicit != null) {
            if (isComplete(explicit)) {
                return explicit;
            }
            throw new IOException(explicit + ": not a " + folderName + " folder (needs " + String.join(", ",
                    fileNames()) + ", each optionally .gz)");
        }
        List<Path> tried = searchPath();
        for (Path p : tried) {
            if (isComplete(p)) {
                return p;
            }
        }
        throw new IOException(folderName + " not found; looked in " + tried.stream().map(Path::toString).toList()
                + "; pass --data FOLDER, or --download when online");
    }

    /**
     * Downloads the four gzipped files from {@code base} into {@code folder} (each to a temporary name, then renamed)
     * and checks that they read as IDX. Fails with one clear message when offline.
     */
    public Path download(URI base, Path folder) throws IOException {
        Files.createDirectories(folder);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        try (http) {
            for (String name : fileNames()) {
                Path target = folder.resolve(name + ".gz");
                if (Files.isRegularFile(target)) {
                    continue;
                }
                URI uri = base.resolve(name + ".gz");
                Path tmp = folder.resolve("." + name + ".gz.part");
                try {
                    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = r.body()) {
                        if (r.statusCode() != 200) {
                            throw new IOException("HTTP " + r.statusCode());
                        }
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                    IdxFile.read(tmp);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    Files.deleteIfExists(tmp);
                    throw new IOException("could not download " + folderName + " from " + uri + " ("
                            + describe(e) + "); offline? Copy the four files (" + String.join(", ", fileNames())
                            + ", .gz) into a folder and pass --data FOLDER", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("download of " + folderName + " interrupted", e);
                }
            }
        }
        return folder;
    }

    private static String describe(IOException e) {
        return dev.googlenet.io.Failures.describe(e);
    }
}
