package dev.googlenet.plan;

/**
 * The memory of one plan run: a few float buffers, sized by the memory plan for one input shape, that hold every
 * activation and temporary of the run in turn. One run owns its workspace, so runs on many threads never share
 * one; afterwards it goes back to its schedule's pool for the next run of that shape.
 */
final class Workspace {
    private final float[][] outputs; // step → the buffer it writes its output to
    private final float[][][] temporaries; // step → its temporaries' buffers

    Workspace(long[] sizes, int[] outputBuffer, int[][] tempBuffers) {
        float[][] buffers = new float[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            buffers[i] = new float[Math.toIntExact(sizes[i])];
        }
        outputs = new float[outputBuffer.length][];
        temporaries = new float[outputBuffer.length][][];
        for (int s = 0; s < outputBuffer.length; s++) {
            outputs[s] = buffers[outputBuffer[s]];
            temporaries[s] = new float[tempBuffers[s].length][];
            for (int j = 0; j < tempBuffers[s].length; j++) {
                temporaries[s][j] = buffers[tempBuffers[s][j]];
            }
        }
    }

    float[] output(int step) {
        return outputs[step];
    }

    float[][] temporaries(int step) {
        return temporaries[step];
    }
}
