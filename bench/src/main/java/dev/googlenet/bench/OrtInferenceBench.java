package dev.googlenet.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.googlenet.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime Java on the same model ({@code tv_eval.onnx}: the same weights, exported by torch.onnx), with all
 * graph optimizations and as many intra-op threads as our engine uses.
 */
@State(Scope.Benchmark)
public class OrtInferenceBench {
    @Param({"1", "8", "32"})
    public int batch;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor input;

    @Setup
    public void setup() throws OrtException {
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = options(Models.threads());
        session = env.createSession(ReferenceFiles.file("tv_eval.onnx").toString(), options);
        Tensor x = Models.randomImages(batch, 7);
        input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), new long[] {batch, 3, 224, 224});
    }

    /**
     * The session options of this benchmark (and of {@link OrtOpProfile}): all graph optimizations, {@code threads}
     * intra-op threads, one inter-op thread.
     */
    static OrtSession.SessionOptions options(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        return options;
    }

    @Benchmark
    public float ort() throws OrtException {
        try (OrtSession.Result r = session.run(Map.of("input", input))) {
            return ((float[][]) r.get(0).getValue())[0][0];
        }
    }

    @TearDown
    public void close() throws OrtException {
        input.close();
        session.close();
    }
}
