package dev.googlenet.train;

import dev.googlenet.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 a training process at several moments, resume it, and check that it ends bit for bit where a run
 * that was never interrupted ends: the same weights, average and momentum files (byte-identical: their metadata
 * holds no time), the same losses in metrics.csv, and a tidy folder. The moments: mid-epoch; while a file is
 * being written (a temporary file on disk); between the renames of a checkpoint's files (weights committed, the
 * rest not); after the commit but before the metrics. Each child is a JVM running {@link CrashSafetyRun}.
 */
class CrashSafetyTest {
    private static final long CHILD_TIMEOUT_S = 120;

    @TempDir
    static Path dir;
    private static Path straight;

    @BeforeAll
    static void runOnceUninterrupted() throws Exception {
        straight = dir.resolve("straight");
        assertEquals(0, runToEnd(straight));
    }

    private static Process start(Path folder, String pauseAt) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                CrashSafetyRun.class.getName(), folder.toString(), pauseAt);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static int runToEnd(Path folder) throws Exception {
        Process p = start(folder, "none");
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS), "the run ended");
        return p.exitValue();
    }

    /** Starts a run that pauses at {@code moment} and kills it there with SIGKILL. */
    private static void killAt(Path folder, String moment) throws Exception {
        Process p = start(folder, moment);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            boolean paused = false;
            while (!paused && (line = out.readLine()) != null) { // bounded: the child ends within its timeout
                paused = line.equals("PAUSED");
            }
            assertTrue(paused, "reached " + moment);
            p.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no finally blocks
            assertTrue(p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");
        }
    }

    /** The resumed run ends as the uninterrupted one did, and leaves only the last epoch's files. */
    private static void resumesBitIdentically(Path folder) throws Exception {
        assertEquals(0, runToEnd(folder));
        for (String f : List.of("weights-epoch003.safetensors", "ema-epoch003.safetensors",
                "optimizer-epoch003.safetensors")) {
            assertEquals(CheckpointFiles.sha256(straight.resolve(f)), CheckpointFiles.sha256(folder.resolve(f)), f);
        }
        assertEquals(column(straight, "train_loss"), column(folder, "train_loss"));
        assertEquals(List.of("1", "2", "3"), column(folder, "epoch"));
        try (Stream<Path> s = Files.list(folder)) {
            assertEquals(List.of("checkpoint.json", "ema-epoch003.safetensors", "metrics.csv", "metrics.json",
                    "optimizer-epoch003.safetensors", "weights-epoch003.safetensors"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Checkpoint.read(folder).verify();
        assertTrue(Safetensors.read(folder.resolve("weights-epoch003.safetensors")).names().size() > 10);
    }

    private static List<String> column(Path run, String name) throws IOException {
        List<String> lines = Files.readAllLines(run.resolve(Trainer.METRICS_CSV));
        int c = List.of(lines.getFirst().split(",")).indexOf(name);
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            out.add(l.split(",")[c]);
        }
        return out;
    }

    @Test
    void killedMidEpoch() throws Exception {
        Path run = dir.resolve("mid-epoch");
        killAt(run, "step:3"); // epoch 2, batch 1 of 2
        assertEquals(1, Checkpoint.read(run).epoch());
        resumesBitIdentically(run);
    }

    @Test
    void killedBetweenTheRenamesOfACheckpoint() throws Exception {
        Path run = dir.resolve("between-renames");
        killAt(run, "file:weights-epoch002.safetensors"); // epoch 2's weights renamed in, the rest not
        assertEquals(1, Checkpoint.read(run).epoch());
        assertTrue(Files.exists(run.resolve("weights-epoch002.safetensors")));
        resumesBitIdentically(run);
    }

    @Test
    void killedAfterTheCommitBeforeTheMetrics() throws Exception {
        Path run = dir.resolve("before-metrics");
        killAt(run, "file:checkpoint.json"); // epoch 1 committed, its metrics not yet written
        assertEquals(1, Checkpoint.read(run).epoch());
        resumesBitIdentically(run);
    }

    @Test
    void killedWhileAFileIsBeingWritten() throws Exception {
        Path run = dir.resolve("mid-write");
        Files.createDirectories(run);
        boolean leftATemporaryFile = false;
        // the kill races the write: it follows the temporary file's creation at once, and is tried up to 3 times
        for (int attempt = 0; attempt < 3 && !leftATemporaryFile; attempt++) {
            killOnFirstTemporaryFile(run);
            try (Stream<Path> s = Files.list(run)) {
                leftATemporaryFile = s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"));
            }
        }
        System.out.println("CRASH mid-write: a temporary file was left behind: " + leftATemporaryFile);
        assertTrue(leftATemporaryFile, "no kill landed inside a write in 3 attempts");
        resumesBitIdentically(run);
    }

    private static void killOnFirstTemporaryFile(Path run) throws Exception {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            run.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            Process p = start(run, "none");
            p.getInputStream().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_S);
            boolean seen = false;
            while (!seen && p.isAlive() && System.nanoTime() < deadline) {
                WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
                if (key == null) {
                    continue;
                }
                for (WatchEvent<?> e : key.pollEvents()) {
                    seen |= e.context() != null && e.context().toString().endsWith(".tmp");
                }
                key.reset();
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS));
        }
    }
}
