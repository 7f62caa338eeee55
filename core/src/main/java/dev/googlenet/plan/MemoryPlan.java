package dev.googlenet.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Which workspace buffer holds each value of one run, assigned by liveness as ONNX Runtime's memory planner does:
 * a value lives from the step that writes it to the last step that reads it, and a buffer whose value is dead is
 * reused for the next one (best fit: the smallest free buffer that holds it, else the largest free one, grown).
 * The workspace then needs only the buffers' sizes, not one array per value — for GoogLeNet's chain of stages, two
 * activations and a stage's temporaries at a time.
 */
final class MemoryPlan {
    /** A value: its size in floats and the steps [first, last] during which it must stay. */
    record Value(long size, int first, int last) {
    }

    private final int[] buffer; // value → buffer
    private final long[] sizes; // buffer → floats

    private MemoryPlan(int[] buffer, long[] sizes) {
        this.buffer = buffer;
        this.sizes = sizes;
    }

    /** Assigns buffers to values, in the order they are listed (which must be by first step). */
    static MemoryPlan of(List<Value> values) {
        int[] assigned = new int[values.size()];
        List<long[]> buffers = new ArrayList<>(); // per buffer: {size, last step of its current value}
        for (int v = 0; v < values.size(); v++) {
            Value value = values.get(v);
            if (v > 0 && value.first() < values.get(v - 1).first()) {
                throw new IllegalArgumentException("values must be listed by their first step");
            }
            int best = -1;
            for (int b = 0; b < buffers.size(); b++) {
                long[] buf = buffers.get(b);
                if (buf[1] >= value.first()) {
                    continue; // still holds a live value
                }
                boolean fits = buf[0] >= value.size();
                if (best < 0) {
                    best = b;
                    continue;
                }
                long[] cur = buffers.get(best);
                boolean curFits = cur[0] >= value.size();
                if (fits && (!curFits || buf[0] < cur[0]) || !fits && !curFits && buf[0] > cur[0]) {
                    best = b;
                }
            }
            if (best < 0) {
                buffers.add(new long[] {value.size(), value.last()});
                best = buffers.size() - 1;
            } else {
                long[] buf = buffers.get(best);
                buf[0] = Math.max(buf[0], value.size());
                buf[1] = value.last();
            }
            assigned[v] = best;
        }
        long[] sizes = new long[buffers.size()];
        for (int b = 0; b < sizes.length; b++) {
            sizes[b] = buffers.get(b)[0];
            if (sizes[b] > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a workspace buffer of " + sizes[b] + " floats is more than a Java "
                        + "array holds: use a smaller batch");
            }
        }
        return new MemoryPlan(assigned, sizes);
    }

    /** The buffer that holds value {@code v}. */
    int buffer(int v) {
        return buffer[v];
    }

    /** Buffer sizes in floats. */
    long[] sizes() {
        return sizes.clone();
    }

    /** Bytes of all buffers. */
    long bytes() {
        long total = 0;
        for (long s : sizes) {
            total += s;
        }
        return 4 * total;
    }
}
