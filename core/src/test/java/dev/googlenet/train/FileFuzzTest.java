package dev.googlenet.train;

import dev.googlenet.data.DataLoader;
import dev.googlenet.data.IdxFile;
import dev.googlenet.data.ImageDecodeException;
import dev.googlenet.data.ImageDecoder;
import dev.googlenet.data.Preprocess;
import dev.googlenet.data.Transform;
import dev.googlenet.infer.Models;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.Fuzzer;
import dev.googlenet.testing.TinyPng;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz targets for the files this program reads besides ONNX (which {@code OnnxFuzzTest} covers): safetensors,
 * trained weight files (as {@code classify} and {@code eval} load them), training checkpoints (as resume and
 * eval read them), images and IDX. Every seed is made here, by the test. Each target must accept a mutant or
 * reject it with one clean line naming the file ({@link Fuzzer}); a finding fails the test and is saved under
 * {@code target/fuzz-findings/}. CI budget: {@value #CI_MILLIS} ms and {@value #CI_CASES} cases per target, the
 * same seeded cases every run; {@code -Dfuzz.seconds=N -Dfuzz.seed=random} fuzzes longer (README, Fuzzing).
 */
class FileFuzzTest {
    static final long CI_MILLIS = 11_000;
    static final int CI_CASES = 3000;
    static final long SEED = 0x66757a7aL;

    @TempDir
    static Path scratch;
    /** A one-epoch run of the tiny model, whose files seed the weights and checkpoint targets. */
    static Path run;

    @BeforeAll
    static void trainTinyRun() throws IOException {
        run = scratch.resolve("seed-run");
        try (DataLoader train = TrainerTest.loader(new TrainerTest.Bars(12), 6, Transform.identity(), 5, 0)) {
            trainer(run, train).fit();
        }
    }

    private static Trainer trainer(Path folder, DataLoader train) {
        TrainingConfig recipe = TrainingConfig.builder().epochs(2).batchSize(6).learningRate(0.05).momentum(0.9f)
                .emaDecay(0.9).seed(5).build();
        return new Trainer(new GoogLeNet(TrainerTest.tinyModel()), recipe, train, null, folder)
                .preprocess(new Preprocess(Preprocess.ChannelOrder.RGB, 1f / 255, new float[] {0.5f, 0.5f, 0.5f},
                        new float[] {0.25f, 0.25f, 0.25f}, 8, 8));
    }

    private static void fuzz(String target, List<byte[]> seeds, Fuzzer.Target exercise) throws IOException {
        Fuzzer.Result r = new Fuzzer(target, seeds, exercise).run(Fuzzer.seed(SEED), Fuzzer.maxCases(CI_CASES),
                Fuzzer.budgetMillis(CI_MILLIS));
        System.out.println(r);
        r.findings().stream().limit(10).forEach(f -> {
            System.out.println("FUZZ FINDING " + f);
            f.error().printStackTrace(System.out);
        });
        assertTrue(r.findings().isEmpty(), () -> r.findings().size() + " findings; first: " + r.findings().getFirst());
        // a fuzzer whose mutants all pass, or all fail at the first byte, proves little
        assertTrue(r.outcomes().getOrDefault("accepted", 0) > 0 && r.outcomes().getOrDefault("rejected", 0) > 0,
                r::toString);
    }

    @Test
    void safetensors() throws IOException {
        Map<String, Tensor> a = new LinkedHashMap<>();
        a.put("conv.weight", Tensor.of(new float[] {1, -2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2));
        a.put("bias", Tensor.of(new float[] {0.5f, -0.5f}, 2));
        a.put("empty", Tensor.zeros(0, 3));
        Path one = scratch.resolve("a.safetensors");
        Safetensors.write(one, a, Map.of("googlenet.variant", "paper", "note", "x"));
        Path two = scratch.resolve("b.safetensors");
        Safetensors.write(two, Map.of("x", Tensor.of(new float[] {1}, 1)), Map.of());
        Path file = scratch.resolve("fuzz-input.safetensors");
        fuzz("safetensors", List.of(Files.readAllBytes(one), Files.readAllBytes(two)), (bytes, name) -> {
            Files.write(file, bytes);
            SafetensorsFile st = Safetensors.read(file);
            st.metadata().size();
            for (String n : st.names()) {
                st.shape(n);
                if (st.dtype(n).equals("I64")) {
                    st.longs(n);
                } else {
                    st.tensor(n);
                }
            }
        });
    }

    @Test
    void weights() throws IOException {
        List<byte[]> seeds;
        try (Stream<Path> s = Files.list(run)) {
            seeds = s.filter(p -> p.getFileName().toString().matches("(weights|ema)-.*")).sorted()
                    .map(FileFuzzTest::bytes).toList();
        }
        Path file = scratch.resolve("fuzz-input.weights.safetensors");
        fuzz("weights", seeds, (bytes, name) -> {
            Files.write(file, bytes);
            Models.load(file); // as classify and run would: the model built, its plan compiled
            Checkpoints.load(file, false); // as eval --checkpoint would
        });
    }

    @Test
    void checkpoint() throws IOException {
        Path folder = scratch.resolve("fuzz-input.checkpoint");
        Files.createDirectories(folder);
        try (Stream<Path> s = Files.list(run)) {
            for (Path p : s.toList()) {
                Files.copy(p, folder.resolve(p.getFileName()));
            }
        }
        byte[] json = Files.readAllBytes(run.resolve(Checkpoints.JSON));
        List<Path> tensors;
        try (Stream<Path> s = Files.list(run)) {
            tensors = s.filter(p -> p.toString().endsWith(".safetensors")).toList();
        }
        fuzz("checkpoint", List.of(json), (bytes, name) -> {
            for (Path t : tensors) { // resume prunes what a checkpoint does not name: put the files back
                if (!Files.exists(folder.resolve(t.getFileName()))) {
                    Files.copy(t, folder.resolve(t.getFileName()));
                }
            }
            Files.write(folder.resolve(Checkpoints.JSON), bytes);
            Checkpoint.read(folder).verify();
            Checkpoints.load(folder, true);
            try (DataLoader train = TrainerTest.loader(new TrainerTest.Bars(12), 6, Transform.identity(), 5, 0)) {
                trainer(folder, train).resume();
            }
        });
    }

    @Test
    void images() throws IOException {
        List<byte[]> seeds = new java.util.ArrayList<>();
        for (String format : List.of("png", "jpeg", "bmp", "gif")) {
            for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY}) {
                seeds.add(encoded(format, type));
            }
        }
        // PNGs of the other kinds ImageDecoder's PNG fast path takes (alpha, 1-bit, palette), and 16-bit it does not
        for (int type : new int[] {BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_BINARY,
            BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_USHORT_GRAY}) {
            seeds.add(encoded("png", type));
        }
        fuzz("image", seeds, (bytes, name) -> {
            // a PNG mutant also with its CRCs made right, or the fast path would turn almost all away at the CRC
            byte[] fixed = TinyPng.withCrcsFixed(bytes);
            if (fixed != bytes) {
                try {
                    ImageDecoder.decode(fixed, name);
                } catch (ImageDecodeException e) {
                    Fuzzer.checkRejection(e, name);
                }
            }
            ImageDecoder.decode(bytes, name);
        });
    }

    private static byte[] encoded(String format, int type) throws IOException {
        BufferedImage img = new BufferedImage(13, 7, type);
        for (int y = 0; y < 7; y++) {
            for (int x = 0; x < 13; x++) {
                img.setRGB(x, y, (x * 19) << 16 | (y * 31) << 8 | (x * y) & 0xff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    @Test
    void idx() throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + 3 * 16).putInt(0x00000803).putInt(3).putInt(4).putInt(4);
        for (int i = 0; i < 48; i++) {
            images.put((byte) (i * 5));
        }
        ByteBuffer labels = ByteBuffer.allocate(8 + 3).putInt(0x00000801).putInt(3).put(new byte[] {1, 2, 3});
        ByteBuffer floats = ByteBuffer.allocate(4 + 4 + 8).putInt(0x00000d01).putInt(2).putFloat(1.5f).putFloat(-2);
        byte[] gz = gzip(images.array());
        Path file = scratch.resolve("fuzz-input.idx");
        Path gzFile = scratch.resolve("fuzz-input.idx.gz");
        fuzz("idx", List.of(images.array(), labels.array(), floats.array(), gz), (bytes, name) -> {
            boolean gzipped = bytes.length > 1 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
            Path f = gzipped ? gzFile : file;
            Files.write(f, bytes);
            IdxFile.read(f);
        });
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
