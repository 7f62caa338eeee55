package dev.googlenet.kernels;

import dev.googlenet.kernels.EngineOptions.KernelChoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The engine without the {@code jdk.incubator.vector} module: a JVM started without it runs {@link EngineProbe}
 * (three small GoogLeNets, forward and backward) on the scalar kernels, says so once on stderr, and computes what
 * the scalar kernels compute here, bit for bit ({@link FreshEngine} with kernels=scalar, same threads); and those
 * agree with the vector kernels up to float rounding (and the jumps in gradients it can cause). Asking for the vector kernels without the module fails
 * with a message that says what to do.
 */
class ScalarFallbackTest {
    /** The same thread count in every engine compared bit for bit (some sums are split per thread). */
    private static final int THREADS = 2;

    @TempDir
    static Path tmp;

    /** The scalar kernels' values, computed in this JVM by an engine of their own. */
    private static double[] scalar;

    public static final class ScalarProbe implements Supplier<double[]> {
        @Override
        public double[] get() {
            Engine.configure(new EngineOptions(THREADS, KernelChoice.SCALAR));
            double[] v = EngineProbe.compute(EngineProbe.MODELS);
            assertTrue(Kernels.scalar());
            return v;
        }
    }

    @BeforeAll
    static void scalarInProcess() {
        scalar = FreshEngine.get(ScalarProbe.class);
    }

    @Test
    void withoutTheModuleAutoRunsTheScalarKernelsAndSaysSoOnce() throws Exception {
        Run run = fork("auto", List.of("-D" + EngineOptions.THREADS_PROPERTY + "=" + THREADS));
        assertEquals(0, run.exit, run.toString());
        assertEquals(List.of(Engine.SCALAR_NOTICE), run.err, "stderr: the notice, once, and nothing else");
        assertEquals("kernels scalar", run.out.getFirst(), run.toString());
        assertBitwiseEqual(scalar, run.values(), "no module (auto) against kernels=scalar in-process");
    }

    @Test
    void scalarAskedForRunsWithoutANotice() throws Exception {
        Run run = fork("scalar", List.of("-D" + EngineOptions.THREADS_PROPERTY + "=" + THREADS,
                "-D" + EngineOptions.KERNELS_PROPERTY + "=scalar"), "configure", "first");
        assertEquals(0, run.exit, run.toString());
        assertEquals(List.of(), run.err, "no notice when the scalar kernels were asked for");
        assertEquals("kernels scalar", run.out.getFirst());
        double[] first = run.values();
        double[] expected = new double[first.length];
        System.arraycopy(scalar, 0, expected, 0, first.length); // the first model's values come first
        assertBitwiseEqual(expected, first, "no module (scalar, first model) against kernels=scalar in-process");
    }

    @Test
    void vectorAskedForWithoutTheModuleFailsClearly() throws Exception {
        String message = "googlenet.kernels=vector needs the jdk.incubator.vector module: run java with "
                + "--add-modules jdk.incubator.vector (or choose auto or scalar)";
        // applied explicitly, and picked up at first use
        for (String[] args : new String[][] {{"configure"}, {}}) {
            Run run = fork("vector" + args.length, List.of("-D" + EngineOptions.KERNELS_PROPERTY + "=vector"), args);
            assertNotEquals(0, run.exit, run.toString());
            assertTrue(run.err.stream().anyMatch(l -> l.contains(message)), run.toString());
            assertFalse(run.out.stream().anyMatch(l -> l.startsWith("kernels")), "nothing computed: " + run);
        }
    }

    /**
     * The vector kernels (this JVM's engine) against the scalar ones: the same network up to float rounding. Forward
     * values (logits, losses) are continuous in the weights and agree closely. Gradients are not: where rounding tips
     * a ReLU or a max pool's choice near a tie, part of a gradient moves elsewhere, and every parameter before that
     * layer sees it; so most gradient sums must agree closely and all of them within such a jump.
     */
    @Test
    void vectorAndScalarKernelsAgree() {
        EngineConfigureTest.requireVectorKernels();
        double[] vector = EngineProbe.compute(EngineProbe.MODELS);
        assertEquals(scalar.length, vector.length);
        double worstGradient = 0;
        int gradients = 0, closeGradients = 0;
        String worst = "";
        for (int i = 0; i < scalar.length; i += 3) {
            assertEquals(scalar[i + 2], vector[i + 2], "kind of value " + i / 3);
            // a floor under the scale: gradients that are zero in exact arithmetic (a bias before BatchNorm) are
            // rounding noise near 1e-9 on both sides
            double err = Math.abs(vector[i] - scalar[i]) / Math.max(scalar[i + 1], 1e-4);
            if (Double.isNaN(err)) {
                fail("value " + i / 3 + ": vector " + vector[i] + ", scalar " + scalar[i]);
            }
            String at = "value " + i / 3 + ": vector " + vector[i] + ", scalar " + scalar[i] + " (scale "
                    + scalar[i + 1] + ")";
            if (scalar[i + 2] == EngineProbe.FORWARD) {
                assertTrue(err <= 1e-4, "forward " + at);
            } else {
                gradients++;
                closeGradients += err <= 1e-4 ? 1 : 0;
                if (err > worstGradient) {
                    worstGradient = err;
                    worst = at;
                }
            }
        }
        // measured on these models: forward values within 3e-6, most gradient sums within 1e-5, jumps up to 5e-3
        assertTrue(closeGradients >= 0.75 * gradients, closeGradients + " of " + gradients
                + " gradient sums within 1e-4 of the scalar kernels'");
        assertTrue(worstGradient <= 5e-2, "gradient " + worst + ", relative " + worstGradient);
    }

    private static void assertBitwiseEqual(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                fail(what + ": value " + i + " (of " + expected.length + ") is " + actual[i] + ", expected "
                        + expected[i]);
            }
        }
    }

    private record Run(int exit, List<String> out, List<String> err) {
        /** The numbers after the "kernels …" line: {@link EngineProbe}'s triples. */
        double[] values() {
            return out.stream().skip(1).mapToDouble(Double::parseDouble).toArray();
        }

        @Override
        public String toString() {
            List<String> head = out.size() > 3 ? out.subList(0, 3) : out;
            return "exit " + exit + ", stdout " + head + (out.size() > 3 ? "…" : "") + ", stderr " + err;
        }
    }

    /**
     * Runs {@link EngineProbe} in a new JVM: this JVM's java and class path, no {@code --add-modules} (and no
     * options from the environment that could add it).
     */
    private static Run fork(String name, List<String> properties, String... args) throws IOException,
            InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("the test JVM's command is unknown"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-Xss8m"));
        cmd.addAll(properties);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EngineProbe.class.getName()));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve(name + ".out"), err = tmp.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("the forked JVM did not finish: " + cmd);
        }
        return new Run(p.exitValue(), nonBlank(Files.readAllLines(out)), nonBlank(Files.readAllLines(err)));
    }

    private static List<String> nonBlank(List<String> lines) {
        return lines.stream().filter(l -> !l.isBlank()).toList();
    }
}
