package dev.googlenet.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderDatasetTest {
    @TempDir
    Path root;

    /** A fake decoder: a 1×2×2 image whose pixels encode the file name's length (no real image decoding). */
    static final ImageFileDecoder FAKE = file -> {
        String content = Files.readString(file);
        if (content.equals("broken")) {
            throw new IOException(file + ": not an image");
        }
        float v = content.length() / 100f;
        return new FloatImage(1, 2, 2, new float[] {v, v, v, v});
    };

    private void file(String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void classesAreSortedSubFoldersAndFilesAreFoundRecursively() throws IOException {
        file("dog/b.png", "xx");
        file("dog/a.JPG", "x");
        file("dog/nested/c.jpeg", "xxx");
        file("cat/z.png", "xxxx");
        file("cat/notes.txt", "ignored");
        file("cat/.hidden.png", "ignored");
        file(".git/x.png", "ignored");
        ImageFolderDataset ds = ImageFolderDataset.scan(root, FAKE);
        assertEquals(List.of("cat", "dog"), ds.classes());
        assertEquals(4, ds.size());
        assertEquals(root.resolve("cat/z.png"), ds.file(0));
        assertEquals(0, ds.label(0));
        assertEquals(root.resolve("dog/a.JPG"), ds.file(1));
        assertEquals(1, ds.label(3));
        assertEquals(0.04f, ds.image(0).data()[0]);
        assertEquals(0.03f, ds.image(3).data()[0]);
    }

    @Test
    void problemsAreClearErrors() throws IOException {
        IOException e = assertThrows(IOException.class, () -> ImageFolderDataset.scan(root.resolve("none"), FAKE));
        assertTrue(e.getMessage().endsWith("none: not a folder (an image-folder dataset has one sub-folder per class)"));
        e = assertThrows(IOException.class, () -> ImageFolderDataset.scan(root, FAKE));
        assertTrue(e.getMessage().contains("no class sub-folders"), e.getMessage());
        file("a/x.png", "x");
        file("b/readme.txt", "x");
        e = assertThrows(IOException.class, () -> ImageFolderDataset.scan(root, FAKE));
        assertTrue(e.getMessage().contains("no image files in class folder 'b'"), e.getMessage());
    }

    @Test
    void aDecodingErrorReachesTheTrainingLoopWithTheFileName() throws IOException {
        file("a/x.png", "x");
        file("a/y.png", "broken");
        ImageFolderDataset ds = ImageFolderDataset.scan(root, FAKE);
        try (DataLoader loader = DataLoader.builder(ds).batchSize(2).shuffle(false).workers(1).build()) {
            var epoch = loader.epoch(0);
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, epoch::next);
            assertTrue(e.getCause().getMessage().endsWith("y.png: not an image"), e.getMessage());
        }
    }

    @Test
    void unreadableFilesAreSkippedAndListedWithTheirReason() throws IOException {
        file("cat/a.png", "x");
        file("cat/broken.png", "broken");
        file("dog/b.png", "xx");
        file("dog/c.png", "xxx");
        ImageFolderDataset ds = ImageFolderDataset.scanReadable(root, FAKE, 2);
        assertEquals(3, ds.size());
        assertEquals(List.of(root.resolve("cat/a.png"), root.resolve("dog/b.png"), root.resolve("dog/c.png")),
                List.of(ds.file(0), ds.file(1), ds.file(2)));
        assertEquals(List.of(0, 1, 1), List.of(ds.label(0), ds.label(1), ds.label(2)));
        assertEquals(List.of(new ImageFolderDataset.Skipped(root.resolve("cat/broken.png"), "not an image")),
                ds.skipped());
    }

    @Test
    void fewerThanTwoClassesOrAClassWithoutReadableImagesIsOneClearError() throws IOException {
        file("cat/a.png", "x");
        IOException e = assertThrows(IOException.class, () -> ImageFolderDataset.scanReadable(root, FAKE, 2));
        assertEquals(root + ": 1 class folder ('cat'); a classifier needs at least 2 (one sub-folder of images per "
                + "class)", e.getMessage());
        file("dog/only.png", "broken");
        e = assertThrows(IOException.class, () -> ImageFolderDataset.scanReadable(root, FAKE, 2));
        assertEquals(root.resolve("dog") + ": none of the images of class 'dog' can be read (only.png: not an image)",
                e.getMessage());
        Files.delete(root.resolve("dog/only.png"));
        e = assertThrows(IOException.class, () -> ImageFolderDataset.scanReadable(root, FAKE, 2));
        assertTrue(e.getMessage().contains("no image files in class folder 'dog'"), e.getMessage());
    }
}
