package dev.googlenet.onnx;

import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ONNX project's own operator tests ({@code ../shared/onnx-node-tests}, ONNX 1.12): every folder runs through
 * {@link OnnxRunner} and must match its expected outputs within ONNX's rule (rtol 1e-3, atol 1e-7), unless it is
 * listed in {@link #OUT_OF_SCOPE} with the reason. A folder that is neither fails: new tests cannot slip by.
 */
class OnnxConformanceTest {
    static final double RTOL = 1e-3;
    static final double ATOL = 1e-7;

    /** Folders deliberately not run, each with why. */
    static final Map<String, String> OUT_OF_SCOPE = new TreeMap<>(Map.of(
            "test_momentum", "Momentum is a training optimizer (domain ai.onnx.preview.training), not an inference op",
            "test_momentum_multiple", "Momentum is a training optimizer (domain ai.onnx.preview.training), not an inference op",
            "test_nesterov_momentum", "Momentum is a training optimizer (domain ai.onnx.preview.training), not an inference op"));

    /** The folders that run: all but the out-of-scope ones (not run at all, so CI shows no skipped tests). */
    static Stream<String> folders() throws IOException {
        return allFolders().stream().filter(name -> !OUT_OF_SCOPE.containsKey(name));
    }

    static List<String> allFolders() throws IOException {
        Path root = SharedData.file("onnx-node-tests");
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("folders")
    void nodeTest(String folder) throws IOException {
        Path dir = SharedData.file("onnx-node-tests/" + folder);
        OnnxRunner runner = OnnxRunner.load(dir.resolve("model.onnx"));
        List<OnnxModel.ValueInfo> ins = runner.model().graph().realInputs();
        List<OnnxModel.ValueInfo> outs = runner.model().graph().outputs();
        List<Path> sets;
        try (Stream<Path> s = Files.list(dir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
        }
        assertTrue(!sets.isEmpty(), folder + ": no test_data_set_*");
        double worst = 0;
        for (Path set : sets) {
            Map<String, OnnxTensor> feed = new TreeMap<>();
            for (int i = 0; i < ins.size(); i++) {
                feed.put(ins.get(i).name(), OnnxIO.readTensor(set.resolve("input_" + i + ".pb")));
            }
            Map<String, OnnxTensor> got = runner.run(feed);
            for (int i = 0; i < outs.size(); i++) {
                OnnxTensor expected = OnnxIO.readTensor(set.resolve("output_" + i + ".pb"));
                OnnxTensor actual = got.get(outs.get(i).name());
                String what = folder + "/" + set.getFileName() + " output " + outs.get(i).name();
                worst = Math.max(worst, assertAllClose(what, expected, actual));
            }
        }
        System.out.printf("CONFORMANCE %-52s ok  max abs error %.3e%n", folder, worst);
    }

    /** numpy's assert_allclose(rtol, atol) plus equal type and shape; returns the largest |actual - expected|. */
    static double assertAllClose(String what, OnnxTensor expected, OnnxTensor actual) {
        assertEquals(expected.type(), actual.type(), what + ": type");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape " + Arrays.toString(actual.shape()));
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i);
            double a = actual.get(i);
            if (Double.isNaN(e) && Double.isNaN(a)) {
                continue;
            }
            double err = Math.abs(a - e);
            worst = Math.max(worst, err);
            if (!(err <= ATOL + RTOL * Math.abs(e))) {
                fail(what + ": element " + i + " is " + a + ", expected " + e);
            }
        }
        return worst;
    }

    @Test
    void outOfScopeListNamesRealFolders() throws IOException {
        List<String> all = allFolders();
        List<String> stale = new ArrayList<>(OUT_OF_SCOPE.keySet());
        stale.removeAll(all);
        assertTrue(stale.isEmpty(), "OUT_OF_SCOPE names folders that do not exist: " + stale);
        System.out.println("CONFORMANCE " + (all.size() - OUT_OF_SCOPE.size()) + " run, " + OUT_OF_SCOPE.size()
                + " out of scope: " + OUT_OF_SCOPE);
    }

    /** Out-of-scope folders really are rejected, with an error that names the node, op and file. */
    @Test
    void outOfScopeOpsAreRejectedClearly() {
        Path model = SharedData.file("onnx-node-tests/test_momentum/model.onnx");
        OnnxException e = org.junit.jupiter.api.Assertions.assertThrows(OnnxException.class,
                () -> OnnxRunner.load(model));
        assertTrue(e.getMessage().startsWith("model.onnx: node "), e.getMessage());
        assertTrue(e.getMessage().contains("Momentum"), e.getMessage());
    }
}
