package dev.googlenet.onnx;

import dev.googlenet.testing.Fuzzer;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the hand-written protobuf reader and everything a file reaches behind it (graph compilation, the
 * GoogLeNet matcher, the runner). Mutants of the shared ONNX files — both reference GoogLeNets, a fixed sample of
 * the ONNX node-test models and their {@code .pb} tensors — must each either import (and, for the small models,
 * run on their test inputs) or fail with an {@link OnnxException} whose message is one line naming the file.
 * Any other exception, an {@link OutOfMemoryError}, or a case that outlives its timeout is a failure, reported
 * with what reproduces it (seed file, case number, mutation).
 *
 * <p>The mutations aim at the wire format's structure, found by walking each seed with ONNX's message layout.
 * Some break the wire format: bit flips (at field keys and length prefixes, or anywhere), truncation (anywhere,
 * or right inside a field), length prefixes replaced by random varints (near the true length, small, or huge up
 * to 2^63 − 1 and 10-byte negatives), malformed 11-byte varints, spliced copies of a chunk. The others keep it
 * well-formed (every enclosing length prefix corrected) so that they reach the checks behind it: varint values
 * replaced by huge or odd ones (tensor dims, data types, attribute ints, versions), whole fields removed or
 * repeated, strings replaced (empty, another name of the file, odd bytes with a line break), floats replaced
 * (NaN, infinities, 0, 1e30). Seeded: the same cases every run. Bounded: at most {@link #MAX_CASES} cases in at
 * most {@link #BUDGET_MS} ms (a slow machine runs fewer and says so). The GoogLeNets are imported (parsed,
 * compiled, matched, weights copied) but not run: a forward pass per mutant would take the whole budget.
 */
class OnnxFuzzTest {
    // CI's budget; -Dfuzz.seconds, -Dfuzz.cases and -Dfuzz.seed change it as for the other targets (Fuzzer)
    static final long SEED = Fuzzer.seed(0x6f6e6e78L);
    static final int MAX_CASES = Fuzzer.maxCases(2000);
    static final long BUDGET_MS = Fuzzer.budgetMillis(20_000);
    static final long CASE_TIMEOUT_MS = 10_000;

    /** What a seed file is and how its mutants are exercised. */
    private enum Kind { REFERENCE_MODEL, NODE_MODEL, TENSOR }

    /**
     * A field of a seed file: where its key starts, where its value (the length prefix, for LEN fields) starts
     * and ends, its wire type, the value (the length, for LEN; the raw bits, for FIXED32), the index of the
     * enclosing LEN field in the site list (-1 at the top level), and whether it is a string (a LEN field that is
     * neither a message nor packed numbers, under 256 bytes: names, op types, attribute strings).
     */
    private record Site(int keyAt, int valueAt, int valueEnd, int wireType, long value, int parent, boolean string) {
        /** The first byte after the field. */
        int end() {
            return wireType == 2 ? valueEnd + (int) value : valueEnd;
        }
    }

    private record Seed(String name, Kind kind, byte[] bytes, List<Site> sites, List<OnnxTensor> inputs, int cases,
                        List<Site> lens, List<Site> varints, List<Site> strings, List<Site> floats) {
        Seed(String name, Kind kind, byte[] bytes, String root, List<OnnxTensor> inputs, int cases) {
            this(name, kind, bytes, walk(bytes, root), inputs, cases);
        }

        Seed(String name, Kind kind, byte[] bytes, List<Site> sites, List<OnnxTensor> inputs, int cases) {
            this(name, kind, bytes, sites, inputs, cases, sites.stream().filter(s -> s.wireType() == 2).toList(),
                    sites.stream().filter(s -> s.wireType() == 0).toList(),
                    sites.stream().filter(Site::string).toList(), sites.stream().filter(s -> s.wireType() == 5).toList());
        }
    }

    private record Failure(String seed, int index, String mutation, Throwable error) {
        @Override
        public String toString() {
            return seed + " case " + index + " (" + mutation + "): " + error;
        }
    }

    // ------------------------------------------------------------------------------------------ the walk

    /** ONNX's message layout: (message, field) → embedded message, for the fields this reader descends into. */
    private static final Map<String, Map<Integer, String>> CHILDREN = Map.of(
            "Model", Map.of(7, "Graph", 8, "OperatorSetId", 14, "StringStringEntry"),
            "Graph", Map.of(1, "Node", 5, "Tensor", 11, "ValueInfo", 12, "ValueInfo", 13, "ValueInfo"),
            "Node", Map.of(5, "Attribute"),
            "Attribute", Map.of(5, "Tensor", 6, "Graph"),
            "ValueInfo", Map.of(2, "Type"),
            "Type", Map.of(1, "TensorType"),
            "TensorType", Map.of(2, "Shape"),
            "Shape", Map.of(1, "Dim"));

    /** Packed repeated varints whose elements are worth mutating one by one (dims, integer data, attribute ints). */
    private static boolean packedVarints(String message, int field) {
        return message.equals("Tensor") && (field == 1 || field == 5 || field == 7)
                || message.equals("Attribute") && field == 8;
    }

    /** Every field of a valid file, recursively, in file order. */
    private static List<Site> walk(byte[] b, String root) {
        List<Site> sites = new ArrayList<>();
        walk(b, 0, b.length, root, -1, sites);
        return sites;
    }

    private static void walk(byte[] b, int from, int to, String message, int parent, List<Site> sites) {
        int[] pos = {from};
        while (pos[0] < to) {
            int keyAt = pos[0];
            long key = varint(b, pos);
            int wire = (int) (key & 7);
            int field = (int) (key >>> 3);
            int valueAt = pos[0];
            switch (wire) {
                case 0 -> {
                    long v = varint(b, pos);
                    sites.add(new Site(keyAt, valueAt, pos[0], wire, v, parent, false));
                }
                case 1 -> pos[0] += 8;
                case 5 -> {
                    pos[0] += 4;
                    long bits = (b[valueAt] & 0xff) | (b[valueAt + 1] & 0xff) << 8 | (b[valueAt + 2] & 0xff) << 16
                            | (long) (b[valueAt + 3] & 0xff) << 24;
                    sites.add(new Site(keyAt, valueAt, pos[0], wire, bits, parent, false));
                }
                case 2 -> {
                    long n = varint(b, pos);
                    int start = pos[0];
                    String child = CHILDREN.getOrDefault(message, Map.of()).get(field);
                    boolean packed = packedVarints(message, field);
                    int self = sites.size();
                    sites.add(new Site(keyAt, valueAt, start, wire, n, parent, child == null && !packed && n < 256));
                    if (child != null) {
                        walk(b, start, start + (int) n, child, self, sites);
                    } else if (packed) {
                        int[] p = {start};
                        while (p[0] < start + n) {
                            int at = p[0];
                            long v = varint(b, p);
                            sites.add(new Site(at, at, p[0], 0, v, self, false)); // a bare value: no key
                        }
                    }
                    pos[0] = start + (int) n;
                }
                default -> throw new IllegalStateException("seed is not valid protobuf at byte " + keyAt);
            }
        }
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
    }

    private static int varintLength(byte[] b, int at) {
        int n = 1;
        while (b[at + n - 1] < 0) {
            n++;
        }
        return n;
    }

    private static byte[] encode(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    // --------------------------------------------------------------------------------------- mutations

    private static byte[] replace(byte[] b, int from, int to, byte[] with) {
        return dev.googlenet.testing.Mutations.splice(b, from, to, with);
    }

    /**
     * Replaces bytes [from, to) inside the value of LEN field {@code parent} (or at the top level, -1) and corrects
     * the length prefix of every enclosing field, so the file stays well-formed protobuf and the change reaches
     * the checks behind the wire format. Innermost first: an enclosing prefix lies before the inner ones, so
     * rewriting an inner one (which may change its byte count) never moves an outer one.
     */
    private static byte[] edit(byte[] b, List<Site> sites, int parent, int from, int to, byte[] with) {
        List<Object[]> parts = new ArrayList<>(); // {from, to, bytes}: the prefixes, outermost first, then the edit
        parts.add(new Object[] {from, to, with});
        long delta = with.length - (to - from);
        for (int a = parent; a >= 0; a = sites.get(a).parent()) {
            Site s = sites.get(a);
            byte[] len = encode(s.value() + delta);
            parts.addFirst(new Object[] {s.valueAt(), s.valueEnd(), len});
            delta += len.length - (s.valueEnd() - s.valueAt());
        }
        // one copy of a file that may be large, with every part in place
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) (b.length + delta));
        int at = 0;
        for (Object[] p : parts) {
            int f = (int) p[0];
            out.write(b, at, f - at);
            out.writeBytes((byte[]) p[2]);
            at = (int) p[1];
        }
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    /** A value for a length prefix or a size: near the truth, small, or huge. */
    private static long sizeLike(Random r, long truth) {
        return switch (r.nextInt(8)) {
            case 0 -> truth + 1 + r.nextInt(16);
            case 1 -> Math.max(0, truth - 1 - r.nextInt(16));
            case 2 -> r.nextInt(1 << 14);
            case 3 -> r.nextLong(1L << 31);
            case 4 -> Integer.MAX_VALUE - r.nextInt(64);
            case 5 -> (1L << 32) + r.nextInt(1 << 10);
            case 6 -> -1 - r.nextInt(4); // a 10-byte varint
            default -> r.nextBoolean() ? Long.MAX_VALUE : 1L << (33 + r.nextInt(30));
        };
    }

    /** One mutant of {@code seed}; {@code what} receives a description for the report. */
    private static byte[] mutate(Seed seed, Random r, StringBuilder what) {
        byte[] b = seed.bytes();
        List<Site> sites = seed.sites();
        Site site = sites.get(r.nextInt(sites.size()));
        List<Site> lens = seed.lens();
        List<Site> varints = seed.varints();
        List<Site> strings = seed.strings();
        List<Site> fixed = seed.floats();
        int op = r.nextInt(12);
        // the well-formed edits below need their kind of field; a seed without one gets another mutation
        if (op == 4 && varints.isEmpty() || op == 9 && strings.isEmpty() || op == 10 && fixed.isEmpty()) {
            op = 7;
        }
        switch (op) {
            case 0 -> { // bit flips at a field's key or length prefix
                byte[] out = b.clone();
                int flips = 1 + r.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    Site s = sites.get(r.nextInt(sites.size()));
                    int at = s.keyAt() + r.nextInt(Math.max(1, s.valueEnd() - s.keyAt()));
                    out[at] ^= (byte) (1 << r.nextInt(8));
                    what.append(i == 0 ? "bit flips at" : ",").append(' ').append(at);
                }
                return out;
            }
            case 1 -> { // bit flips anywhere
                return dev.googlenet.testing.Mutations.bitFlips(b, r, what);
            }
            case 2 -> { // truncation, anywhere or just inside a field
                int keep = r.nextBoolean() ? r.nextInt(b.length)
                        : Math.min(b.length - 1, site.keyAt() + r.nextInt(Math.max(1, site.valueEnd() - site.keyAt() + 4)));
                what.append("truncated to ").append(keep).append(" of ").append(b.length).append(" bytes");
                return java.util.Arrays.copyOf(b, keep);
            }
            case 3 -> { // a length prefix replaced by a random varint
                if (lens.isEmpty()) {
                    return mutate(seed, r, what);
                }
                Site s = lens.get(r.nextInt(lens.size()));
                long v = sizeLike(r, s.value());
                what.append("length at ").append(s.valueAt()).append(": ").append(s.value()).append(" → ").append(v);
                return replace(b, s.valueAt(), s.valueEnd(), encode(v));
            }
            case 4, 11 -> { // a varint value (dims, types, ints, versions) replaced by a huge or odd one
                Site s = varints.get(r.nextInt(varints.size()));
                long v = r.nextBoolean() ? sizeLike(r, s.value()) : r.nextInt(40) - 4;
                what.append("varint at ").append(s.valueAt()).append(": ").append(s.value()).append(" → ").append(v);
                return edit(b, sites, s.parent(), s.valueAt(), s.valueEnd(), encode(v));
            }
            case 7 -> { // a whole field removed (a missing name, input, attribute, dimension, initializer…)
                what.append("field at ").append(site.keyAt()).append("..").append(site.end()).append(" removed");
                return edit(b, sites, site.parent(), site.keyAt(), site.end(), new byte[0]);
            }
            case 8 -> { // a whole field repeated right after itself (twice-defined names, repeated attributes)
                what.append("field at ").append(site.keyAt()).append("..").append(site.end()).append(" repeated");
                return edit(b, sites, site.parent(), site.end(), site.end(),
                        java.util.Arrays.copyOfRange(b, site.keyAt(), site.end()));
            }
            case 9 -> { // a string replaced: empty, another of the file's strings (rewiring), or odd bytes
                Site s = strings.get(r.nextInt(strings.size()));
                byte[] with = switch (r.nextInt(3)) {
                    case 0 -> new byte[0];
                    case 1 -> {
                        Site o = strings.get(r.nextInt(strings.size()));
                        yield java.util.Arrays.copyOfRange(b, o.valueEnd(), o.end());
                    }
                    default -> {
                        byte[] odd = new byte[1 + r.nextInt(12)];
                        r.nextBytes(odd); // control characters, invalid UTF-8
                        odd[r.nextInt(odd.length)] = '\n';
                        yield odd;
                    }
                };
                what.append("string at ").append(s.valueEnd()).append(" replaced by ").append(with.length)
                        .append(" bytes");
                byte[] length = encode(with.length);
                return edit(b, sites, s.parent(), s.valueAt(), s.end(), replace(length, length.length, length.length,
                        with)); // the new length prefix, then the new bytes
            }
            case 10 -> { // a float (attribute value, epsilon, alpha…) replaced by NaN, an infinity, 0 or a huge one
                Site s = fixed.get(r.nextInt(fixed.size()));
                float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -1f, 1e30f,
                    Float.MIN_VALUE, -0f};
                float v = odd[r.nextInt(odd.length)];
                int bits = Float.floatToRawIntBits(v);
                what.append("float at ").append(s.valueAt()).append(" → ").append(v);
                return edit(b, sites, s.parent(), s.valueAt(), s.valueEnd(),
                        new byte[] {(byte) bits, (byte) (bits >> 8), (byte) (bits >> 16), (byte) (bits >> 24)});
            }
            case 5 -> { // a key or length turned into a malformed varint (11 bytes with the continuation bit)
                int at = r.nextBoolean() ? site.keyAt() : site.valueAt();
                byte[] bad = new byte[11];
                java.util.Arrays.fill(bad, (byte) 0xff);
                what.append("malformed varint at ").append(at);
                return replace(b, at, at + 1, bad);
            }
            default -> { // a field spliced in again elsewhere (repeated fields, duplicated names)
                int from = site.keyAt();
                int to = Math.min(b.length, site.valueEnd() + (site.wireType() == 2
                        ? (int) Math.min(site.value(), 4096) : 0));
                int at = sites.get(r.nextInt(sites.size())).keyAt();
                what.append("bytes ").append(from).append("..").append(to).append(" copied to ").append(at);
                return replace(b, at, at, java.util.Arrays.copyOfRange(b, from, to));
            }
        }
    }

    // ----------------------------------------------------------------------------------------- the cases

    private static List<Seed> seeds() throws IOException {
        List<Seed> seeds = new ArrayList<>();
        for (String ref : List.of("tv_eval.onnx", "paper_eval.onnx")) {
            byte[] b = Files.readAllBytes(SharedData.file("reference/" + ref));
            // 20 each: importing a GoogLeNet (parse 27 MB, match, copy the weights) costs as much as 50 small cases
            seeds.add(new Seed(ref, Kind.REFERENCE_MODEL, b, "Model", List.of(), 20));
        }
        List<Path> folders;
        try (Stream<Path> s = Files.list(SharedData.file("onnx-node-tests"))) {
            folders = s.filter(Files::isDirectory).sorted().toList();
        }
        for (int i = 0; i < folders.size(); i += 5) { // every fifth folder: each op family is sampled
            Path dir = folders.get(i);
            Path set = dir.resolve("test_data_set_0");
            List<OnnxTensor> inputs = new ArrayList<>();
            for (int k = 0; Files.exists(set.resolve("input_" + k + ".pb")); k++) {
                inputs.add(OnnxIO.readTensor(set.resolve("input_" + k + ".pb")));
            }
            String name = dir.getFileName() + "/model.onnx";
            byte[] b = Files.readAllBytes(dir.resolve("model.onnx"));
            seeds.add(new Seed(name, Kind.NODE_MODEL, b, "Model", inputs, 60));
            if (i % 10 == 0 && Files.exists(set.resolve("input_0.pb"))) {
                byte[] t = Files.readAllBytes(set.resolve("input_0.pb"));
                seeds.add(new Seed(dir.getFileName() + "/input_0.pb", Kind.TENSOR, t, "Tensor", List.of(), 25));
            }
        }
        return seeds;
    }

    /** How a mutant fared: what it got through, or the OnnxException that stopped it. */
    private record Outcome(String accepted, OnnxException rejected) {
    }

    /** Imports / runs one mutant; an OnnxException is a fine outcome, returned for its message to be checked. */
    private static Outcome exercise(Seed seed, byte[] mutant, String source) {
        try {
            switch (seed.kind()) {
                case TENSOR -> {
                    OnnxIO.parseTensor(mutant, source);
                    return new Outcome("parsed", null);
                }
                case REFERENCE_MODEL -> {
                    // imported, not run: a whole GoogLeNet's forward pass per mutant would take the budget
                    OnnxImporter.importModel(OnnxIO.parse(mutant, source));
                    return new Outcome("imported", null);
                }
                default -> {
                    OnnxModel m = OnnxIO.parse(mutant, source);
                    OnnxRunner runner = OnnxRunner.of(m);
                    Map<String, OnnxTensor> feed = new HashMap<>();
                    List<OnnxModel.ValueInfo> ins = m.graph().realInputs();
                    for (int i = 0; i < ins.size() && i < seed.inputs().size(); i++) {
                        feed.put(ins.get(i).name(), seed.inputs().get(i));
                    }
                    runner.run(feed);
                    try { // these are not image models: the importer refuses them, but by its own checks
                        OnnxImporter.importModel(m);
                    } catch (OnnxException expected) {
                        checkMessage(expected, source);
                    }
                    return new Outcome("ran", null);
                }
            }
        } catch (OnnxException e) {
            return new Outcome(null, e);
        }
    }

    /** An OnnxException message is one line that starts with the file's name. */
    private static void checkMessage(OnnxException e, String source) {
        String m = e.getMessage();
        if (!m.startsWith(source + ": ") || m.contains("\n") || m.contains("\r")) {
            throw new AssertionError("not one line naming the file: " + m);
        }
    }

    @Test
    void mutatedFilesImportOrFailWithOneClearError() throws Exception {
        List<Seed> seeds = seeds();
        Random random = new Random(SEED);
        List<Failure> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        ExecutorService worker = newWorker();
        long start = System.nanoTime();
        int cases = 0;
        long slowest = 0;
        boolean outOfTime = false;
        // CI: each seed its fixed share; a longer run (-Dfuzz.seconds) goes round all seeds until its time is up
        boolean longRun = System.getProperty("fuzz.seconds") != null;
        int rounds = longRun ? Integer.MAX_VALUE : seeds.stream().mapToInt(Seed::cases).max().orElse(0);
        try {
            outer: // round by round over the seeds, so that a budget cut on a slow machine still samples them all
            for (int i = 0; i < rounds; i++) {
                for (Seed seed : seeds) {
                    if (!longRun && i >= seed.cases()) {
                        continue;
                    }
                    if (cases >= MAX_CASES || (System.nanoTime() - start) / 1_000_000 > BUDGET_MS) {
                        outOfTime = cases < MAX_CASES;
                        break outer;
                    }
                    StringBuilder what = new StringBuilder();
                    byte[] mutant = mutate(seed, random, what);
                    String source = "mutant-" + cases + ".onnx";
                    cases++;
                    long t0 = System.nanoTime();
                    Future<Outcome> f = worker.submit(() -> {
                        Outcome o = exercise(seed, mutant, source);
                        if (o.rejected() != null) {
                            checkMessage(o.rejected(), source);
                        }
                        return o;
                    });
                    try {
                        Outcome o = f.get(CASE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                        outcomes.merge(o.rejected() == null ? o.accepted() : "rejected (one-line OnnxException)", 1,
                                Integer::sum);
                    } catch (ExecutionException e) {
                        failures.add(new Failure(seed.name(), i, what.toString(), e.getCause()));
                    } catch (TimeoutException e) {
                        failures.add(new Failure(seed.name(), i, what.toString(),
                                new AssertionError("still running after " + CASE_TIMEOUT_MS + " ms")));
                        worker.shutdownNow(); // the stuck thread is a daemon: abandon it, go on with a new one
                        worker = newWorker();
                    }
                    slowest = Math.max(slowest, (System.nanoTime() - t0) / 1_000_000);
                }
            }
        } finally {
            worker.shutdownNow();
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("FUZZ %d cases over %d seed files in %d ms (slowest %d ms)%s: %s, %d failures%n", cases,
                seeds.size(), ms, slowest, outOfTime ? " — time budget reached before " + MAX_CASES : "", outcomes,
                failures.size());
        failures.stream().limit(20).forEach(f -> {
            System.out.println("FUZZ FAILURE " + f);
            if (!(f.error() instanceof AssertionError)) {
                f.error().printStackTrace(System.out);
            }
        });
        assertTrue(failures.isEmpty(), () -> failures.size() + " mutants broke the reader; first: "
                + failures.getFirst());
        // a fuzzer whose mutants all fail at the first byte, or all pass, would prove nothing; the full set (the
        // same cases every run) reaches every stage, a set cut short by the time budget at least both outcomes
        int rejected = outcomes.getOrDefault("rejected (one-line OnnxException)", 0);
        if (outOfTime) {
            assertTrue(rejected > 0 && rejected < cases, "the mutants should be rejected and accepted: " + outcomes);
        } else {
            assertTrue(rejected > cases / 10 && outcomes.getOrDefault("ran", 0) > cases / 20
                    && outcomes.containsKey("imported") && outcomes.containsKey("parsed"),
                    "the mutants should reach every stage: " + outcomes);
        }
    }

    /**
     * Regression, found by a 300-second run: paper_eval.onnx with one node's only input removed (the field at
     * bytes 12201..12222) made the GoogLeNet matcher fail on an empty list instead of saying the graph is not one.
     */
    @Test
    void aNodeWithoutInputsIsNotAGoogLeNetNotACrash() throws IOException {
        byte[] b = Files.readAllBytes(SharedData.file("reference/paper_eval.onnx"));
        List<Site> sites = walk(b, "Model");
        Site input = sites.stream().filter(s -> s.keyAt() == 12201 && s.end() == 12222).findFirst().orElseThrow();
        byte[] mutant = edit(b, sites, input.parent(), input.keyAt(), input.end(), new byte[0]);
        Outcome o = exercise(new Seed("paper_eval.onnx", Kind.REFERENCE_MODEL, mutant, List.of(), List.of(), 1),
                mutant, "regression.onnx");
        assertTrue(o.accepted() != null || o.rejected().getMessage().startsWith("regression.onnx: "), o::toString);
    }

    /** The well-formed edits really are: every field removed or repeated in turn leaves valid protobuf. */
    @Test
    void wellFormedEditsKeepTheWireFormat() throws IOException {
        byte[] b = Files.readAllBytes(SharedData.file("onnx-node-tests/test_conv_with_strides_padding/model.onnx"));
        List<Site> sites = walk(b, "Model");
        int edits = 0;
        for (Site s : sites) {
            byte[] removed = edit(b, sites, s.parent(), s.keyAt(), s.end(), new byte[0]);
            byte[] repeated = edit(b, sites, s.parent(), s.end(), s.end(),
                    java.util.Arrays.copyOfRange(b, s.keyAt(), s.end()));
            for (byte[] m : List.of(removed, repeated)) {
                walk(m, "Model"); // throws on a length prefix that no longer fits
                try {
                    OnnxIO.parse(m, "edited.onnx");
                } catch (OnnxException e) { // a missing graph or opset is fine; a broken wire format is not
                    assertTrue(!e.getMessage().contains("truncated") && !e.getMessage().contains("malformed"),
                            e.getMessage());
                }
                edits++;
            }
        }
        assertTrue(edits > 40, "edits: " + edits);
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "onnx-fuzz");
            t.setDaemon(true);
            return t;
        });
    }
}
