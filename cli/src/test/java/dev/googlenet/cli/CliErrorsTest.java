package dev.googlenet.cli;

import dev.googlenet.io.ErrorMessages;
import dev.googlenet.data.Preprocess;
import dev.googlenet.io.Safetensors;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.testing.SharedData;
import dev.googlenet.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line never shows a stack trace (unless asked with --debug), for exceptions and for Errors: each
 * failure is one line, in words, with control characters escaped and no Java class names.
 */
class CliErrorsTest {
    @TempDir
    Path dir;

    /** Runs the command line in a JVM of {@code heap}, as bin/googlenet would; returns exit code and stderr. */
    private static CliRun inJvm(String heap, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx" + heap, "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().filter(l -> !l.startsWith("WARNING: Using incubator")).reduce("", (a, b) -> a + b + "\n");
        return new CliRun(p.exitValue(), "", err);
    }

    /** A tiny model's weight file whose googlenet.config has {@code field} (a regex) replaced by {@code with}. */
    private Path weightFile(String name, String field, String with) throws IOException {
        GoogLeNetConfig tiny = GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optNumClasses(4)
                .optSmallInput(true).optWidth(1 / 16f).optInputChannels(1).optAuxHeads(false).build();
        Map<String, String> meta = new java.util.LinkedHashMap<>(Checkpoints.weightsMetadata(tiny, List.of(),
                Preprocess.TORCHVISION, "raw", 1));
        meta.put(Checkpoints.META_CONFIG, meta.get(Checkpoints.META_CONFIG).replaceFirst(field, with));
        Path f = dir.resolve(name);
        Safetensors.write(f, new GoogLeNet(tiny).stateDict(), meta);
        return f;
    }

    @Test
    void outOfMemoryIsOneLineWithTheHeapAndTheFlagAndDebugAddsTheTrace() throws Exception {
        String model = SharedData.file("reference/tv_eval.onnx").toString();
        String image = SharedData.file("images/chelsea.png").toString();
        CliRun r = inJvm("40m", "classify", "--model", model, image);
        System.out.println("MESSAGE " + r.err());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("googlenet classify: out of memory (Java heap space): the task needed more "
                + "than the "), r.err());
        assertTrue(r.err().contains("this Java may use; raise the Java heap with GOOGLENET_JAVA_OPTS=-Xmx<size>"),
                r.err());
        CliRun debug = inJvm("40m", "classify", "--debug", "--model", model, image);
        assertTrue(debug.err().lines().count() > 3, debug.err());
        assertTrue(debug.err().contains("java.lang.OutOfMemoryError"), debug.err());
    }

    @Test
    void aHundredMillionClassesInAWeightFileIsOneLineQuickly() throws IOException {
        Path f = weightFile("weights-epoch001.safetensors", "\"num_classes\":[^,}]+", "\"num_classes\":100000000");
        CliRun r = CliRun.of("eval", "--checkpoint", f.toString(), "--raw", "--dataset", "fashion-mnist");
        System.out.println("MESSAGE " + r.err());
        assertEquals(1, r.code());
        assertEquals("googlenet eval: " + f + ": googlenet.config.num_classes is 100000000; allowed: an integer "
                + "from 1 to 1,000,000\n", r.err());
    }

    @Test
    void aModelLargerThanTheHeapIsRefusedBeforeAllocatingWithTheSizeAndTheFlag() throws Exception {
        // in range, ~100M parameters: more than a 256 MB heap holds three times
        Path f = weightFile("wide.safetensors", "\"width\":[^,}]+", "\"width\":4.0");
        CliRun r = inJvm("256m", "eval", "--checkpoint", f.toString(), "--raw", "--dataset", "fashion-mnist");
        System.out.println("MESSAGE " + r.err());
        assertEquals(1, r.code());
        assertTrue(r.err().matches("googlenet eval: \\Q" + f + "\\E: this configuration \\(width 4.0, 4 classes, 1 input "
                + "channels\\) makes a model of up to 99,255,947 parameters, which needs about 1.2 GB of memory; "
                + "this Java may use 2\\d\\d MB: raise the Java heap with GOOGLENET_JAVA_OPTS=-Xmx<size> \\(e.g. "
                + "-Xmx8g\\) for bin/googlenet, or java -Xmx<size>\n"), r.err());
    }

    @Test
    void unwritableOutputsSayWhy() throws IOException {
        Path data = TrainCliTest.writeTinyIdx(dir.resolve("fake-fashion"));
        CliRun train = CliRun.of("train", "fashion-mnist", "--data", data.toString(), "--out", "/proc/fuzzrun",
                "--epochs", "1", "--batch", "8", "--width", "0.0625", "--no-progress");
        System.out.println("MESSAGE " + train.err());
        assertEquals("googlenet train: /proc/fuzzrun: cannot create files in /proc\n", train.err());
        Path input = dir.resolve("in.safetensors");
        Safetensors.write(input, Map.of("input", dev.googlenet.tensor.Tensor.zeros(1, 3, 224, 224)), Map.of());
        CliRun run = CliRun.of("run", "--model", SharedData.file("reference/tv_eval.onnx").toString(),
                "--input", input.toString(), "--output", "/proc/out.safetensors");
        System.out.println("MESSAGE " + run.err());
        assertEquals("googlenet run: /proc/out.safetensors: cannot create files in /proc\n", run.err());
    }

    @Test
    void messagesLoseClassNamesAndControlCharacters() {
        assertEquals("bad \\u001b[2Jname\\nsecond line", ErrorMessages.of(new IOException("bad \u001b[2Jname\nsecond "
                + "line")));
        assertEquals("x.onnx: truncated", ErrorMessages.of(new java.io.UncheckedIOException(
                new IOException("x.onnx: truncated"))));
        assertEquals("cannot read: bad data", ErrorMessages.of(new IllegalStateException(
                "cannot read: java.lang.ArrayIndexOutOfBoundsException: bad data")));
        String npe = ErrorMessages.of(new NullPointerException());
        assertEquals("internal error (a value was missing); run again with --debug for the stack trace and report it",
                npe);
        assertFalse(ErrorMessages.of(new StackOverflowError()).contains("StackOverflowError"));
    }
}
