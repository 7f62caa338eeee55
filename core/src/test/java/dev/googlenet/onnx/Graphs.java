package dev.googlenet.onnx;

import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.onnx.OnnxModel.ValueInfo;

import java.util.List;
import java.util.Map;

/** Small ONNX models written programmatically for tests (serialized and parsed back, as a file would be). */
final class Graphs {
    private Graphs() {
    }

    static OnnxModel model(String source, long opset, List<Node> nodes, Map<String, OnnxTensor> inits,
                           List<ValueInfo> inputs, List<ValueInfo> outputs) throws OnnxException {
        OnnxModel m = new OnnxModel(source, OnnxExporter.irVersion((int) Math.max(3, Math.min(opset, 13))),
                Map.of("", opset), "test", "", new OnnxModel.Graph("g", nodes, inits, inputs, outputs), Map.of());
        return OnnxIO.parse(OnnxIO.toBytes(m), source); // through the wire format, like a real file
    }

    /** One node from input "x" to output "y". */
    static OnnxModel single(long opset, Node node, Map<String, OnnxTensor> inits, Object... xShape)
            throws OnnxException {
        return model("single.onnx", opset, List.of(node), inits, List.of(ValueInfo.of("x", xShape)),
                List.of(ValueInfo.of("y")));
    }
}
