package dev.googlenet.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.googlenet.tensor.Tensor;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs an ONNX model in ONNX Runtime (test scope only): one float input, every output as a Tensor. */
final class Ort {
    private Ort() {
    }

    static Map<String, Tensor> run(byte[] model, String inputName, Tensor input) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, opts);
                 ai.onnxruntime.OnnxTensor x = ai.onnxruntime.OnnxTensor.createTensor(env,
                         FloatBuffer.wrap(input.data()), Arrays.stream(input.shape()).asLongStream().toArray());
                 OrtSession.Result r = session.run(Map.of(inputName, x))) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
                    ai.onnxruntime.OnnxTensor t = (ai.onnxruntime.OnnxTensor) e.getValue();
                    FloatBuffer fb = t.getFloatBuffer();
                    float[] d = new float[fb.remaining()];
                    fb.get(d);
                    int[] shape = Arrays.stream(t.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
                    out.put(e.getKey(), Tensor.of(d, shape));
                }
                return out;
            }
        }
    }
}
