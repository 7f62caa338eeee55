package dev.googlenet.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Transform;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint findings of issue 18, one damaged run folder each: a {@code checkpoint.json} is read against
 * its schema, its tensor files against their recorded size and SHA-256, an optimizer state must cover every
 * parameter, and a folder a killed run left untidy (temporary files, metrics behind, files of other epochs) is
 * put right on resume. Each folder is a copy of one tiny run trained here, then damaged by the test.
 */
class CheckpointVerificationTest {
    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    /** A one-epoch run of the tiny model; each test damages its own copy. */
    private static Path template;
    private static final TrainerTest.Bars DATA = new TrainerTest.Bars(12);

    @BeforeAll
    static void trainOnce() throws IOException {
        template = shared.resolve("run");
        try (DataLoader train = loader()) {
            trainer(template, train, 1).fit();
        }
    }

    private static DataLoader loader() {
        return TrainerTest.loader(DATA, 6, Transform.identity(), 5, 0);
    }

    private static Trainer trainer(Path folder, DataLoader train, int epochs) {
        TrainingConfig recipe = TrainingConfig.builder().epochs(epochs).batchSize(6).learningRate(0.05)
                .momentum(0.9f).emaDecay(0.9).seed(5).build();
        return new Trainer(new GoogLeNet(TrainerTest.tinyModel()), recipe, train, null, folder);
    }

    private Path copy() throws IOException {
        Path run = dir.resolve("run");
        Files.createDirectories(run);
        try (Stream<Path> files = Files.list(template)) {
            for (Path f : files.toList()) {
                Files.copy(f, run.resolve(f.getFileName()));
            }
        }
        return run;
    }

    private static ObjectNode json(Path run) throws IOException {
        return (ObjectNode) Checkpoints.readJson(run.resolve(Checkpoints.JSON));
    }

    private static void write(Path run, ObjectNode ck) throws IOException {
        Checkpoints.writeJsonAtomically(run.resolve(Checkpoints.JSON), ck);
    }

    /** Resuming and loading for evaluation both refuse the folder with the same one-line message. */
    private static String refused(Path run) {
        String resume;
        try (DataLoader train = loader()) {
            resume = assertThrows(IOException.class, () -> trainer(run, train, 2).resume()).getMessage();
        }
        String load = assertThrows(IOException.class, () -> Checkpoints.load(run, true)).getMessage();
        System.out.println("MESSAGE " + resume);
        assertFalse(resume.contains("\n"), resume);
        if (!resume.contains("optimizer")) { // evaluation reads no optimizer state
            assertEquals(resume, load);
        }
        return resume;
    }

    @Test
    void missingFilesStepOrModelAreNamed() throws IOException {
        Path run = copy();
        Path file = run.resolve(Checkpoints.JSON);
        for (String field : List.of("files", "step", "model")) {
            ObjectNode ck = json(run);
            ObjectNode saved = ck.deepCopy();
            ck.remove(field);
            write(run, ck);
            String allowed = field.equals("step") ? "an integer from 0 to 281,474,976,710,656" : "a JSON object";
            assertEquals(file + ": " + field + " is missing; allowed: " + allowed, refused(run));
            write(run, saved);
        }
    }

    @Test
    void anEpochThatIsNotANumberIsRefusedNotReadAsZero() throws IOException {
        Path run = copy();
        ObjectNode ck = json(run);
        ck.put("epoch", "two");
        write(run, ck);
        assertEquals(run.resolve(Checkpoints.JSON) + ": epoch is \"two\"; allowed: an integer from 1 to 100,000",
                refused(run));
    }

    @Test
    void aFlippedBitInTheWeightsIsDetected() throws IOException {
        Path run = copy();
        Path weights = run.resolve("weights-epoch001.safetensors");
        byte[] b = Files.readAllBytes(weights);
        b[b.length - 7] ^= 0x10; // a bit of the last tensor's data: the file still parses
        Files.write(weights, b);
        Path ema = run.resolve("ema-epoch001.safetensors");
        byte[] e = Files.readAllBytes(ema);
        e[e.length - 7] ^= 0x10;
        Files.write(ema, e);
        assertEquals(weights + ": its SHA-256 differs from the one checkpoint.json recorded (the file is damaged or "
                + "was replaced after the checkpoint was written)", refusedResume(run));
        assertEquals(ema + ": its SHA-256 differs from the one checkpoint.json recorded (the file is damaged or "
                + "was replaced after the checkpoint was written)",
                assertThrows(IOException.class, () -> Checkpoints.load(run, true)).getMessage());
        Files.write(weights, java.util.Arrays.copyOf(b, b.length - 8));
        assertEquals(weights + ": " + (b.length - 8) + " bytes, but checkpoint.json recorded " + b.length
                + " (the file changed or was cut short after the checkpoint was written)", refusedResume(run));
    }

    private static String refusedResume(Path run) {
        try (DataLoader train = loader()) {
            String m = assertThrows(IOException.class, () -> trainer(run, train, 2).resume()).getMessage();
            System.out.println("MESSAGE " + m);
            return m;
        }
    }

    @Test
    void anOptimizerStateMissingAParameterIsAnError() throws IOException {
        Path run = copy();
        Path opt = run.resolve("optimizer-epoch001.safetensors");
        SafetensorsFile st = Safetensors.read(opt);
        Map<String, Tensor> buffers = new LinkedHashMap<>(StateDicts.tensors(st));
        assertTrue(buffers.remove("fc.weight") != null);
        Safetensors.write(opt, buffers, st.metadata());
        // re-recorded, as a writer that dropped the tensor itself would have: the checksum passes, the coverage not
        ObjectNode ck = json(run);
        ((ObjectNode) ck.get("checksums")).set(opt.getFileName().toString(), CheckpointFiles.record(opt));
        write(run, ck);
        assertEquals(opt + ": no momentum buffer for parameter fc.weight (the optimizer state must cover every "
                + "parameter the optimizer updates)", refusedResume(run));
    }

    @Test
    void aKilledRunsLeftoversAreCleanedAndItsMetricsBroughtUpToDateOnResume() throws IOException {
        Path run = copy();
        // a write killed mid-way, the next epoch's files written before its commit, metrics an epoch behind
        Path tmp = run.resolve(".weights-epoch002.safetensors.k3x9q2.tmp");
        Files.write(tmp, new byte[100]);
        Files.copy(run.resolve("weights-epoch001.safetensors"), run.resolve("weights-epoch002.safetensors"));
        Path csv = run.resolve(Trainer.METRICS_CSV);
        List<String> full = Files.readAllLines(csv);
        assertEquals(2, full.size()); // header and epoch 1
        Files.write(csv, full.subList(0, 1));
        try (DataLoader train = loader()) {
            Trainer t = trainer(run, train, 2);
            assertTrue(t.resume());
            assertFalse(Files.exists(tmp));
            assertFalse(Files.exists(run.resolve("weights-epoch002.safetensors")));
            assertEquals(full, Files.readAllLines(csv));
            t.fit();
        }
        // after epoch 2's commit only its files remain
        try (Stream<Path> files = Files.list(run)) {
            assertEquals(List.of("checkpoint.json", "ema-epoch002.safetensors", "metrics.csv", "metrics.json",
                    "optimizer-epoch002.safetensors", "weights-epoch002.safetensors"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(3, Files.readAllLines(csv).size());
        Checkpoint.read(run).verify(); // what it recorded matches
    }

    @Test
    void aFileNameLeavingTheRunFolderIsRefused() throws IOException {
        Path run = copy();
        ObjectNode ck = json(run);
        ((ObjectNode) ck.get("files")).put("weights", "../../etc/passwd");
        write(run, ck);
        assertEquals(run.resolve(Checkpoints.JSON) + ": files.weights is \"../../etc/passwd\"; allowed: a file name "
                + "in the run folder (letters, digits, '.', '_', '-')", refused(run));
    }
}
