package dev.googlenet.cli;

import dev.googlenet.data.Preprocess;
import dev.googlenet.infer.Models;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.kernels.Softmax;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.onnx.OnnxExporter;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.Randomize;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        // torchvision's std-0.01 init gives every input the same logits in eval mode (to the last bit), so the CLI
        // could run another image and still match: random weights and BatchNorm statistics of order one instead
        Randomize.state(model.trunk(), new Random(5));
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
        // the library's inference (the compiled plan, BatchNorm folded): the layer-by-layer forward rounds otherwise
        Tensor expected = Models.load(weights, Variant.TORCHVISION).logits(Safetensors.read(in).tensor("input"));
        assertTrue(logits.hasShape(2, 10));
        assertArrayEquals(expected.data(), logits.data(), 0f);
        // the two images' logits differ (by far more than the bitwise comparison's tolerance): a row computed from
        // the other image would fail
        float[] e = expected.data();
        float largest = 0, apart = 0;
        for (int i = 0; i < 10; i++) {
            largest = Math.max(largest, Math.abs(e[i]));
            apart = Math.max(apart, Math.abs(e[i] - e[10 + i]));
        }
        assertTrue(apart > 1e-3f * largest, "the two images' logits differ by " + apart + " of " + largest);
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

    /** The project's parity rule (shared/README): max abs error ≤ 1e-3 of the reference's largest magnitude. */
    private static void assertClose(String what, Tensor ref, Tensor got) {
        assertArrayEquals(ref.shape(), got.shape(), what + ": shape");
        double maxRef = 0, err = 0;
        for (int i = 0; i < ref.size(); i++) {
            maxRef = Math.max(maxRef, Math.abs(ref.data()[i]));
            err = Math.max(err, Math.abs(ref.data()[i] - got.data()[i]));
        }
        System.out.printf("PARITY %-60s max abs error %.3e of max |ref| %.3e%n", what, err, maxRef);
        assertTrue(err <= 1e-3 * maxRef, what + ": max abs error " + err + " > " + 1e-3 * maxRef);
    }

    @Test
    void runOnAnOnnxGraphWritesItsDeclaredOutputsByName() throws IOException {
        // paper_eval.onnx declares two outputs, logits and prob (its input is named 'data', ours 'input')
        Path cases = SharedData.file("reference/paper_cases.safetensors");
        Path out = dir.resolve("paper_out.safetensors");
        Result r = run("run", "--model", SharedData.file("reference/paper_eval.onnx").toString(),
                "--input", cases.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        SafetensorsFile expected = Safetensors.read(cases);
        SafetensorsFile got = Safetensors.read(out);
        assertEquals(List.of("logits", "prob"), List.copyOf(got.names()));
        assertClose("run paper_eval.onnx → logits", expected.tensor("logits"), got.tensor("logits"));
        assertClose("run paper_eval.onnx → prob", expected.tensor("prob"), got.tensor("prob"));
    }

    @Test
    void runOnAZooStyleGraphWritesProb1() throws IOException {
        // the ONNX model zoo's GoogLeNet declares one output, prob_1; a graph of that shape written here
        GoogLeNet paper = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(10)
                .optAuxHeads(false).optSeed(2).build());
        Path zoo = dir.resolve("zoo.onnx");
        OnnxExporter.export(paper, Preprocess.CAFFE, zoo, OnnxExporter.Options.zoo(12));
        Path in = inputFile("zoo_in.safetensors", "input", 1, 3, 224, 224);
        Path out = dir.resolve("zoo_out.safetensors");
        Result r = run("run", "--model", zoo.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        SafetensorsFile got = Safetensors.read(out);
        assertEquals(List.of("prob_1"), List.copyOf(got.names()));
        assertClose("run zoo-style graph → prob_1", Softmax.rows(paper.forward(Safetensors.read(in).tensor("input"))),
                got.tensor("prob_1"));
    }

    @Test
    void onnxInputOfTheWrongShapeIsOneErrorNamingTheFile() throws IOException {
        Path in = inputFile("small.safetensors", "input", 1, 3, 40, 40);
        Result r = run("run", "--model", SharedData.file("reference/paper_eval.onnx").toString(),
                "--input", in.toString(), "--output", dir.resolve("none.safetensors").toString());
        assertEquals(1, r.code());
        assertEquals("googlenet run: paper_eval.onnx: input 'data' has shape [1,3,40,40], the model declares "
                + "[batch,3,224,224]", r.err().strip());
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
