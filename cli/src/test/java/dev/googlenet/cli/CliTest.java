package dev.googlenet.cli;

import dev.googlenet.io.Safetensors;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir
    static Path dir;
    static GoogLeNet model;
    static Path weights;

    @BeforeAll
    static void writeWeights() throws IOException {
        model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optNumClasses(10)
                .optAuxHeads(false).optSeed(5).build());
        weights = dir.resolve("tv10.safetensors");
        StateDicts.save(weights, model, Map.of());
    }

    private static Path inputFile(String name, String tensorName, int... shape) throws IOException {
        Tensor x = Tensor.zeros(shape);
        Random rnd = new Random(3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = rnd.nextFloat();
        }
        Path p = dir.resolve(name);
        Safetensors.write(p, Map.of(tensorName, x), Map.of());
        return p;
    }

    /** Runs the CLI, returning exit code and stderr. */
    private static Result run(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    record Result(int code, String err) {
    }

    @Test
    void runWritesTheModelsLogits() throws IOException {
        Path in = inputFile("in.safetensors", "input", 2, 3, 40, 40);
        Path out = dir.resolve("out.safetensors");
        Result r = run("run", "--weights", weights.toString(), "--variant", "torchvision",
                "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        Tensor logits = Safetensors.read(out).tensor("logits");
        Tensor expected = model.forward(Safetensors.read(in).tensor("input"));
        assertTrue(logits.hasShape(2, 10));
        assertArrayEquals(expected.data(), logits.data(), 0f);
    }

    @Test
    void wrongTensorNameIsOneClearErrorAndKeepsExistingOutput() throws IOException {
        Path in = inputFile("named.safetensors", "images", 1, 3, 40, 40);
        Path out = dir.resolve("kept.safetensors");
        Files.writeString(out, "previous results");
        Result r = run("run", "--weights", weights.toString(), "--variant", "torchvision",
                "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals("googlenet run: " + in + ": no tensor named 'input' (found [images])", r.err().strip());
        assertEquals("previous results", Files.readString(out));
    }

    @Test
    void wrongShapeIsOneClearError() throws IOException {
        Path in = inputFile("gray.safetensors", "input", 1, 1, 40, 40);
        Path out = dir.resolve("never.safetensors");
        Result r = run("run", "--weights", weights.toString(), "--variant", "torchvision",
                "--input", in.toString(), "--output", out.toString());
        assertEquals(1, r.code());
        assertEquals("googlenet run: " + in + ": tensor 'input' must be [N,3,H,W], got [1,1,40,40]", r.err().strip());
        assertFalse(Files.exists(out));
    }

    @Test
    void weightsOfTheOtherVariantAreRejectedWithTheFileName() {
        Result r = run("run", "--weights", weights.toString(), "--variant", "paper",
                "--input", "unused", "--output", dir.resolve("x").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("googlenet run: " + weights + ": weights do not fit GoogLeNet(paper"), r.err());
    }

    @Test
    void summaryPrintsTableOne() {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute("summary", "--variant", "paper");
        } finally {
            System.setOut(saved);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code);
        assertTrue(text.contains("6,998,552 parameters") && text.contains("inception (5b)"), text);
    }
}
