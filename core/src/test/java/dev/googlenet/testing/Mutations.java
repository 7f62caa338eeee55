package dev.googlenet.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Byte-level and text-level mutations of a seed file. Binary ones hit any format (bit flips, interesting bytes
 * and integers at aligned offsets, truncation, deleted and repeated chunks, splices of two seeds); text ones aim
 * at JSON headers and metadata (numbers replaced by huge, negative or fractional ones, strings by empty, odd
 * or escape-laden ones, a key and its value removed), so that mutants get past the parser to the checks behind it.
 */
public final class Mutations {
    private static final long[] INTS = {0, 1, -1, 255, 256, 65535, 65536, Integer.MAX_VALUE, Integer.MIN_VALUE,
        (1L << 31), (1L << 32) - 1, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] NUMBERS = {"0", "-1", "1", "2147483647", "2147483648", "4294967296",
        "99999999999999999999", "1e308", "-1e308", "0.5", "1e-300", "NaN", "\"x\"", "true", "null", "[]", "{}"};
    private static final String[] STRINGS = {"", "x", "\u001b[2J\nline", "../../x", "F64", "I64", "BOOL", "U8",
        "paper", "torchvision", "ema", "a".repeat(5000)};

    private Mutations() {
    }

    static byte[] mutate(byte[] seed, List<byte[]> seeds, Random r, StringBuilder what) {
        int stacked = r.nextInt(4) == 0 ? 2 + r.nextInt(3) : 1;
        byte[] b = seed;
        for (int i = 0; i < stacked && b.length > 0; i++) {
            if (i > 0) {
                what.append("; ");
            }
            b = once(b, seeds, r, what);
        }
        return b;
    }

    /** 1 to 8 bits flipped anywhere. */
    public static byte[] bitFlips(byte[] b, Random r, StringBuilder what) {
        byte[] out = b.clone();
        int flips = 1 + r.nextInt(8);
        what.append("random bit flips at");
        for (int i = 0; i < flips; i++) {
            int at = r.nextInt(b.length);
            out[at] ^= (byte) (1 << r.nextInt(8));
            what.append(' ').append(at);
        }
        return out;
    }

    private static byte[] once(byte[] b, List<byte[]> seeds, Random r, StringBuilder what) {
        int op = r.nextInt(11);
        int at = r.nextInt(b.length);
        switch (op) {
            case 0 -> {
                return bitFlips(b, r, what);
            }
            case 1 -> {
                byte[] out = b.clone();
                byte[] vals = {0, -1, 0x7f, (byte) 0x80, 1, '"', '{', ']', ',', '\\'};
                out[at] = vals[r.nextInt(vals.length)];
                what.append("byte ").append(at).append(" = ").append(out[at]);
                return out;
            }
            case 2 -> {
                what.append("truncated to ").append(at);
                return Arrays.copyOf(b, at);
            }
            case 3 -> {
                int n = 1 + r.nextInt(Math.min(64, b.length - at));
                what.append("deleted ").append(n).append(" at ").append(at);
                return splice(b, at, at + n, new byte[0]);
            }
            case 4 -> {
                int n = 1 + r.nextInt(Math.min(64, b.length - at));
                what.append("repeated ").append(n).append(" at ").append(at);
                return splice(b, at, at, Arrays.copyOfRange(b, at, at + n));
            }
            case 5 -> {
                byte[] other = seeds.get(r.nextInt(seeds.size()));
                int from = r.nextInt(Math.max(1, other.length));
                what.append("spliced at ").append(at).append(" from another seed's ").append(from);
                return splice(b, at, b.length, Arrays.copyOfRange(other, Math.min(from, other.length), other.length));
            }
            case 6, 7 -> {
                int width = op == 6 ? 4 : 8;
                if (b.length < width) {
                    return Arrays.copyOf(b, 0);
                }
                int p = r.nextInt(b.length - width + 1) & ~(width - 1);
                long v = INTS[r.nextInt(INTS.length)];
                boolean little = r.nextBoolean();
                byte[] out = b.clone();
                for (int i = 0; i < width; i++) {
                    int shift = 8 * (little ? i : width - 1 - i);
                    out[p + i] = (byte) (v >>> shift);
                }
                what.append(width * 8).append("-bit ").append(little ? "LE" : "BE").append(" at ").append(p)
                        .append(" = ").append(v);
                return out;
            }
            case 8 -> {
                int[] run = find(b, at, c -> c >= '0' && c <= '9' || c == '-' || c == '.');
                if (run == null) {
                    return once(b, seeds, r, what);
                }
                String v = NUMBERS[r.nextInt(NUMBERS.length)];
                what.append("number at ").append(run[0]).append(" = ").append(v);
                return splice(b, run[0], run[1], v.getBytes(StandardCharsets.UTF_8));
            }
            case 9 -> {
                int[] run = quoted(b, at);
                if (run == null) {
                    return once(b, seeds, r, what);
                }
                String v = STRINGS[r.nextInt(STRINGS.length)];
                what.append("string at ").append(run[0]).append(" = ")
                        .append(v.length() > 20 ? v.length() + " chars" : v.replace("\u001b", "ESC").replace("\n", "\\n"));
                return splice(b, run[0], run[1], v.getBytes(StandardCharsets.UTF_8));
            }
            default -> {
                int[] run = quoted(b, at);
                if (run == null) {
                    return once(b, seeds, r, what);
                }
                int end = run[1];
                while (end < b.length && b[end] != ',' && b[end] != '}') {
                    end++;
                }
                int from = Math.max(0, run[0] - 1);
                what.append("removed ").append(from).append("..").append(end);
                return splice(b, from, Math.min(b.length, end + 1), new byte[0]);
            }
        }
    }

    /** The run of bytes matching {@code in} that starts at or after a random place, or null. */
    private static int[] find(byte[] b, int from, java.util.function.IntPredicate in) {
        for (int i = from, tries = 0; tries < b.length; i = (i + 1) % b.length, tries++) {
            if (in.test(b[i])) {
                int end = i;
                while (end < b.length && in.test(b[end])) {
                    end++;
                }
                return new int[] {i, end};
            }
        }
        return null;
    }

    /** The inside of the next "…" after {@code from} (limited to 256 bytes), or null. */
    private static int[] quoted(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '"') {
                for (int j = i + 1; j < b.length && j < i + 256; j++) {
                    if (b[j] == '"') {
                        return new int[] {i + 1, j};
                    }
                }
                return null;
            }
        }
        return null;
    }

    /** {@code b} with bytes [from, to) replaced by {@code with}. */
    public static byte[] splice(byte[] b, int from, int to, byte[] with) {
        byte[] out = new byte[b.length - (to - from) + with.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(b, to, out, from + with.length, b.length - to);
        return out;
    }
}
