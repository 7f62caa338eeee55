package dev.googlenet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** explain, branches and dream end to end, on tv_calibrated (the weights explain_cases was made with). */
class ExplainCliTest {
    @TempDir
    Path dir;

    private static String[] model() {
        return new String[] {"--weights", SharedData.file("reference/tv_calibrated.safetensors").toString(),
                "--variant", "torchvision"};
    }

    private static String[] args(String[] head, String... tail) {
        String[] m = model();
        String[] all = new String[head.length + m.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(m, 0, all, head.length, m.length);
        System.arraycopy(tail, 0, all, head.length + m.length, tail.length);
        return all;
    }

    @Test
    void explainWritesOverlayMapAndJsonAndReportsABadImageInOneLine() throws IOException {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of(args(new String[] {"explain", SharedData.file("images/chelsea.png").toString(),
                SharedData.file("images/truncated.jpg").toString()}, "--method", "gradcam", "--out", out.toString()));
        assertEquals(1, r.code(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("googlenet")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.getFirst().contains("truncated.jpg"), errors.getFirst());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), r.out());
        JsonNode j = new ObjectMapper().readTree(lines.getFirst());
        assertEquals(58, j.get("class").asInt(), "chelsea's top class under tv_calibrated (explain_cases)");
        assertEquals("inception5b", j.get("layer").asText());
        assertEquals(4, j.get("box").size());
        BufferedImage png = ImageIO.read(Path.of(j.get("overlay").asText()).toFile());
        assertEquals(224, png.getWidth());
        assertEquals(224, png.getHeight());
        SafetensorsFile maps = Safetensors.read(Path.of(j.get("map").asText()));
        assertArrayEquals(new int[] {7, 7}, maps.tensor("map").shape());
        assertArrayEquals(new int[] {224, 224}, maps.tensor("heatmap").shape());
        assertEquals(1f, max(maps.tensor("heatmap").data()), 1e-6f);
    }

    @Test
    void badLayerOrClassIsOneClearLine() {
        CliRun layer = CliRun.of(args(new String[] {"explain", SharedData.file("images/chelsea.png").toString()},
                "--layer", "inception9x", "--out", dir.toString()));
        assertEquals(1, layer.code());
        assertTrue(layer.err().contains("unknown layer 'inception9x'"), layer.err());
        CliRun cls = CliRun.of(args(new String[] {"explain", SharedData.file("images/chelsea.png").toString()},
                "--class", "1000", "--out", dir.toString()));
        assertEquals(1, cls.code());
        assertTrue(cls.err().contains("class 1000 out of range"), cls.err());
        CliRun method = CliRun.of(args(new String[] {"explain", SharedData.file("images/chelsea.png").toString()},
                "--method", "lime", "--out", dir.toString()));
        assertEquals(1, method.code());
        assertTrue(method.err().contains("unknown method 'lime'"), method.err());
    }

    @Test
    void branchesPrintsNineModulesAndWritesAChart() {
        CliRun r = CliRun.of(args(new String[] {"branches", SharedData.file("images/coffee.png").toString()},
                "--out", dir.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals(9, r.out().lines().filter(l -> l.startsWith("inception")).count(), r.out());
        assertTrue(r.out().contains("class 902"), r.out());
        assertTrue(Files.isRegularFile(dir.resolve("coffee.branches.png")));
    }

    @Test
    void dreamWithOneSeedGivesOneImage() throws IOException {
        Path a = dir.resolve("a.png"), b = dir.resolve("b.png"), c = dir.resolve("c.png");
        for (Path p : List.of(a, b)) {
            CliRun r = CliRun.of(args(new String[] {"dream", SharedData.file("images/chelsea.png").toString()},
                    "--octaves", "2", "--steps", "2", "--max-side", "96", "--seed", "3", "--out", p.toString()));
            assertEquals(0, r.code(), r.err());
        }
        CliRun r = CliRun.of(args(new String[] {"dream", SharedData.file("images/chelsea.png").toString()},
                "--octaves", "2", "--steps", "2", "--max-side", "96", "--seed", "4", "--out", c.toString()));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(pixels(a), pixels(b));
        assertTrue(!java.util.Arrays.equals(pixels(a), pixels(c)), "another seed, another dream");
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            m = Math.max(m, x);
        }
        return m;
    }
}
