package dev.googlenet.data;

import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxFileTest {
    @TempDir
    Path dir;

    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void readsTheRealFashionMnistFiles() throws IOException {
        Path folder = SharedData.root().resolve("datasets/fashion-mnist");
        IdxDataset train = KnownDataset.FASHION_MNIST.load(folder, KnownDataset.Part.TRAIN);
        IdxDataset test = KnownDataset.FASHION_MNIST.load(folder, KnownDataset.Part.TEST);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(28, train.height());
        assertEquals(28, train.width());
        assertEquals(9, train.label(0)); // an ankle boot
        assertEquals("Ankle boot", train.classes().get(train.label(0)));
        assertEquals(0, train.label(1));
        assertEquals(9, test.label(0));
        assertEquals(2, test.label(1));
        int[] counts = train.classCounts();
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, counts);
        FloatImage first = train.image(0);
        assertEquals(1, first.channels());
        for (float v : first.data()) {
            assertTrue(v >= 0 && v <= 1);
        }
        assertTrue(KnownDataset.isComplete(folder));
        assertEquals(folder, KnownDataset.FASHION_MNIST.locate(folder));
    }

    @Test
    void plainAndGzippedGiveTheSameArray() throws IOException {
        byte[] raw = idx(new int[] {2, 2, 3}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255});
        IdxFile a = IdxFile.read(raw, "raw");
        IdxFile b = IdxFile.read(gzip(raw), "gz");
        assertEquals(a, b);
        assertArrayEquals(new int[] {2, 2, 3}, a.dims());
        Path f = Files.write(dir.resolve("x-idx3-ubyte.gz"), gzip(raw));
        assertEquals(a, IdxFile.read(f));
    }

    private static String error(byte[] bytes) {
        return assertThrows(IOException.class, () -> IdxFile.read(bytes, "f")).getMessage();
    }

    @Test
    void malformedBytesAreClearErrors() throws IOException {
        assertEquals("f: too short for an IDX file: the 4-byte magic number needs 4 bytes, got 2",
                error(new byte[] {0, 0}));
        assertTrue(error(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0}).startsWith("f: not an IDX file: it starts with "
                + "bytes 50 4B 03 04"));
        byte[] floats = idx(new int[] {1}, new byte[4]);
        floats[2] = 0x0D;
        assertEquals("f: IDX element type 0x0D (float) is not supported: only unsigned bytes (0x08), as in MNIST",
                error(floats));
        assertEquals("f: IDX header declares 0 dimensions (1 to 8 supported)", error(new byte[] {0, 0, 8, 0}));
        byte[] good = idx(new int[] {3, 4}, new byte[12]);
        assertEquals("f: IDX header declares 3×4 = 12 bytes of data, but the file has 11 (truncated)",
                error(Arrays.copyOf(good, good.length - 1)));
        assertEquals("f: IDX header declares 3×4 = 12 bytes of data, but the file has 13 (trailing bytes)",
                error(Arrays.copyOf(good, good.length + 1)));
        // a header claiming ~2^62 elements is refused before anything is allocated
        byte[] huge = idx(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]);
        assertTrue(error(huge).contains("more than the"), error(huge));
        byte[] negative = idx(new int[] {-5}, new byte[0]);
        assertTrue(error(negative).startsWith("f: IDX dimension 0 is negative"), error(negative));
        // gzipped but cut short, or with a header that disagrees with the gzip trailer
        byte[] gz = gzip(good);
        assertTrue(error(Arrays.copyOf(gz, 10)).startsWith("f: truncated gzip file"), error(Arrays.copyOf(gz, 10)));
        byte[] lying = gzip(idx(new int[] {3, 4}, new byte[11]));
        assertTrue(error(lying).contains("the gzip trailer records 23 uncompressed bytes"), error(lying));
        byte[] corrupt = gz.clone();
        corrupt[12] ^= 0x55;
        assertTrue(error(corrupt).startsWith("f: "), error(corrupt));
    }

    @Test
    void imagesAndLabelsMustAgree() throws IOException {
        Path images = Files.write(dir.resolve("i"), idx(new int[] {2, 2, 2}, new byte[8]));
        Path labels = Files.write(dir.resolve("l"), idx(new int[] {3}, new byte[3]));
        IOException e = assertThrows(IOException.class,
                () -> IdxDataset.read(images, labels, KnownDataset.MNIST.classes(), "tiny"));
        assertTrue(e.getMessage().endsWith("tiny: 2 images but 3 labels"), e.getMessage());
        Path badLabel = Files.write(dir.resolve("b"), idx(new int[] {2}, new byte[] {1, 12}));
        e = assertThrows(IOException.class,
                () -> IdxDataset.read(images, badLabel, KnownDataset.MNIST.classes(), "tiny"));
        assertTrue(e.getMessage().endsWith("label 12 of example 1 outside the 10 classes"), e.getMessage());
    }

    @Test
    void missingDatasetNamesThePlacesLookedAt() {
        IOException e = assertThrows(IOException.class, () -> KnownDataset.FASHION_MNIST.locate(dir));
        assertTrue(e.getMessage().startsWith(dir + ": not a fashion-mnist folder"), e.getMessage());
    }

    @Test
    void downloadFailsWithOneClearMessageWhenUnreachable() {
        // port 9 on the loopback interface: nothing listens, the connection is refused at once
        IOException e = assertThrows(IOException.class, () -> KnownDataset.FASHION_MNIST.download(
                java.net.URI.create("http://127.0.0.1:9/"), dir.resolve("dl")));
        assertTrue(e.getMessage().startsWith("could not download fashion-mnist from http://127.0.0.1:9/"
                + "train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("offline?"), e.getMessage());
    }
}
