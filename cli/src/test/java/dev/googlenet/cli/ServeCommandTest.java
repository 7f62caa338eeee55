package dev.googlenet.cli;

import dev.googlenet.infer.LoadedModel;
import dev.googlenet.model.Variant;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {

    @Test
    void modelsAreNamedByTheirFileUnlessNamed() {
        Map<String, Path> m = ServeCommand.modelFiles(List.of("/m/tv_eval.onnx", "small=/runs/fmnist",
                "/x/weights.v2.safetensors"));
        assertEquals(List.of("tv_eval", "small", "weights.v2"), List.copyOf(m.keySet()));
        assertEquals(Path.of("/runs/fmnist"), m.get("small"));
    }

    @Test
    void twoModelsOfOneNameAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.modelFiles(List.of("/a/m.onnx", "/b/m.onnx")));
        assertTrue(e.getMessage().contains("two models named 'm'"), e.getMessage());
    }

    @Test
    void aMissingModelFileIsOneClearError() {
        CliRun run = CliRun.of("serve", "--model", "/no/such/model.onnx", "--port", "0");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("/no/such/model.onnx: no such file"), run.err());
    }

    @Test
    void badServerOptionsAreOneClearError() {
        CliRun run = CliRun.of("serve", "--model", "x.onnx", "--batch-size", "0");
        assertEquals(1, run.code());
        assertTrue(run.err().contains("batch size must be at least 1"), run.err());
        CliRun warmup = CliRun.of("serve", "--model", "x.onnx", "--warmup-seconds", "-1");
        assertEquals(1, warmup.code());
        assertTrue(warmup.err().contains("warm-up must not be negative"), warmup.err());
    }

    /** tv_calibrated.safetensors names no variant: served with --variant, refused without it in one line. */
    @Test
    void aStateDictWithoutAVariantIsServedWithVariant() throws Exception {
        Path file = SharedData.file("reference/tv_calibrated.safetensors");
        IOException e = assertThrows(IOException.class, () -> ServeCommand.load(file, null));
        assertTrue(e.getMessage().endsWith("tv_calibrated.safetensors: no variant in its metadata; add --variant "
                + "paper|torchvision"), e.getMessage());
        LoadedModel m = ServeCommand.load(file, "torchvision");
        assertEquals(1000, m.classNames().size());
        assertEquals(Variant.TORCHVISION, m.googLeNet().orElseThrow().config().variant());
        assertThrows(IllegalArgumentException.class, () -> ServeCommand.load(file, "inception"));
    }
}
