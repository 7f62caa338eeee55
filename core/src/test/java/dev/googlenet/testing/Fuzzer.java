package dev.googlenet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A seeded mutation fuzzer for file readers, small enough to read. A target is a reader exercised on bytes; the
 * contract it is held to: accept the bytes, or reject them with an {@link IOException} whose message is one line,
 * without control characters, naming the file. Anything else — another exception, an {@link Error} (out of
 * memory included), a case still running after {@link #CASE_TIMEOUT_MS} — is a finding.
 *
 * <p>A run first replays the target's regression corpus ({@code src/test/resources/fuzz/<target>/}: inputs that
 * once broke a reader, kept so they never do again), then mutates the seeds round-robin until its case count or
 * time budget runs out. Findings are written to {@code target/fuzz-findings/<target>/} (copy one into the corpus
 * once it is fixed). Budget and seed come from system properties, so a longer run needs no code change:
 * {@code -Dfuzz.seconds=600 -Dfuzz.seed=random} (see README, Fuzzing).
 */
public final class Fuzzer {
    public static final long CASE_TIMEOUT_MS = 10_000;

    /** A reader under test: gets the bytes and the file name it should report. */
    @FunctionalInterface
    public interface Target {
        void exercise(byte[] input, String name) throws Exception;
    }

    /** An input that broke the contract. */
    public record Finding(String target, String input, String mutation, Throwable error) {
        @Override
        public String toString() {
            return target + " " + input + " (" + mutation + "): " + error;
        }
    }

    /** What a run did: cases by outcome, and the findings. */
    public record Result(String target, long seed, int corpus, int cases, Map<String, Integer> outcomes,
                         List<Finding> findings, long millis) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "FUZZ %s: %d corpus inputs + %d mutants in %d ms (seed %d): "
                    + "%s, %d findings", target, corpus, cases, millis, seed, outcomes, findings.size());
        }
    }

    private final String target;
    private final List<byte[]> seeds;
    private final Target exercise;

    public Fuzzer(String target, List<byte[]> seeds, Target exercise) {
        this.target = target;
        this.seeds = List.copyOf(seeds);
        this.exercise = exercise;
    }

    /** The budget of one target: {@code -Dfuzz.seconds} when set, else {@code ciMillis}. */
    public static long budgetMillis(long ciMillis) {
        String s = System.getProperty("fuzz.seconds");
        return s == null || s.isBlank() ? ciMillis : Long.parseLong(s.trim()) * 1000;
    }

    /** Cases at most: {@code -Dfuzz.cases} when set, else {@code ciCases}; with fuzz.seconds set, no cap. */
    public static int maxCases(int ciCases) {
        String s = System.getProperty("fuzz.cases");
        if (s != null && !s.isBlank()) {
            return Integer.parseInt(s.trim());
        }
        return System.getProperty("fuzz.seconds") != null ? Integer.MAX_VALUE : ciCases;
    }

    /** The seed: {@code -Dfuzz.seed} (a number, or "random"), else {@code dflt} (the same cases every CI run). */
    public static long seed(long dflt) {
        String s = System.getProperty("fuzz.seed");
        if (s == null || s.isBlank()) {
            return dflt;
        }
        return s.equals("random") ? System.nanoTime() : Long.parseLong(s.trim());
    }

    /** Replays the corpus, then fuzzes within the budget. */
    public Result run(long seed, int maxCases, long budgetMillis) throws IOException {
        Random random = new Random(seed);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<Finding> findings = new ArrayList<>();
        ExecutorService[] worker = {newWorker()};
        long start = System.nanoTime();
        List<Path> corpus = corpus();
        try {
            for (Path p : corpus) {
                one(Files.readAllBytes(p), "corpus " + p.getFileName(), "regression input", outcomes, findings,
                        worker);
            }
            int cases = 0;
            while (cases < maxCases && (System.nanoTime() - start) / 1_000_000 < budgetMillis) {
                StringBuilder what = new StringBuilder();
                byte[] seedBytes = seeds.get(cases % seeds.size());
                byte[] mutant = Mutations.mutate(seedBytes, seeds, random, what);
                one(mutant, "case " + cases + " of seed " + (cases % seeds.size()), what.toString(), outcomes,
                        findings, worker);
                cases++;
            }
            return new Result(target, seed, corpus.size(), cases, outcomes, findings,
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            worker[0].shutdownNow();
        }
    }

    private void one(byte[] input, String label, String mutation, Map<String, Integer> outcomes,
                     List<Finding> findings, ExecutorService[] worker) throws IOException {
        String name = "fuzz-input." + target;
        Future<String> f = worker[0].submit(() -> {
            try {
                exercise.exercise(input, name);
                return "accepted";
            } catch (IOException e) {
                checkRejection(e, name);
                return "rejected";
            }
        });
        try {
            outcomes.merge(f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS), 1, Integer::sum);
        } catch (ExecutionException e) {
            findings.add(save(new Finding(target, label, mutation, e.getCause()), input));
        } catch (TimeoutException e) {
            findings.add(save(new Finding(target, label, mutation,
                    new AssertionError("still running after " + CASE_TIMEOUT_MS + " ms")), input));
            worker[0].shutdownNow(); // the stuck thread is a daemon: abandon it, go on with a new one
            worker[0] = newWorker();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A clean rejection: one line, no control characters, naming the file. */
    public static void checkRejection(IOException e, String name) {
        String m = e.getMessage();
        if (m == null || !m.contains(name) || m.chars().anyMatch(Character::isISOControl)) {
            throw new AssertionError("not one clean line naming " + name + ": " + m, e);
        }
    }

    private Finding save(Finding finding, byte[] input) throws IOException {
        Path dir = Path.of("target", "fuzz-findings", target);
        Files.createDirectories(dir);
        String hash = HexFormat.of().formatHex(java.util.Arrays.copyOf(sha256(input), 8));
        Files.write(dir.resolve(hash + ".bin"), input);
        Files.writeString(dir.resolve(hash + ".txt"), finding + "\n");
        return finding;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Path> corpus() throws IOException {
        Path dir = Path.of("src", "test", "resources", "fuzz", target);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".bin")).sorted().toList();
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz");
            t.setDaemon(true);
            return t;
        });
    }
}
