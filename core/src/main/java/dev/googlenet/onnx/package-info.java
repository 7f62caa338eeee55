/**
 * ONNX import, execution and export, with no protobuf library: the wire format is read and written by hand
 * ({@code ProtoReader}/{@code ProtoWriter}) for the subset of onnx.proto a GoogLeNet needs.
 * <ul>
 *   <li>{@link dev.googlenet.onnx.OnnxIO} reads/writes {@link dev.googlenet.onnx.OnnxModel}s (and the
 *       {@code TensorProto} {@code .pb} files of ONNX's test data); every size is checked before allocation and
 *       every error names the file and the field, on one line ({@code OnnxFuzzTest} holds it to both).</li>
 *   <li>{@link dev.googlenet.onnx.OnnxRunner} compiles a graph (an unsupported op or attribute is one error
 *       naming node, op and file) and runs it in topological order: Add, AveragePool, BatchNormalization, Concat,
 *       Constant, Conv, Dropout, Flatten, Gather, Gemm, GlobalAveragePool, GlobalMaxPool, Identity, LRN,
 *       LogSoftmax, MatMul, MaxPool, Mul, Relu, Reshape, Sigmoid, Softmax, Sum, Transpose; opsets 1–22 with each
 *       op's per-opset attributes (legacy {@code broadcast}/{@code axis}, {@code is_test}, {@code consumed_inputs},
 *       Reshape's {@code shape} attribute, Softmax's 2-D coercion before opset 13). Values are the engine's
 *       {@link dev.googlenet.tensor.Tensor}s ({@link dev.googlenet.onnx.OnnxTensor} adds only integer values), and
 *       the ops run on the engine's layers and kernels wherever ONNX's definition fits them.</li>
 *   <li>{@link dev.googlenet.onnx.OnnxImporter} turns a file into an
 *       {@link dev.googlenet.onnx.ImportedModel}: the runnable graph, our
 *       {@link dev.googlenet.model.GoogLeNet} when the graph is one (matched by structure), the inferred
 *       {@link dev.googlenet.data.Preprocess}, input and output names, class names when the file has them.</li>
 *   <li>{@link dev.googlenet.onnx.OnnxExporter} writes a GoogLeNet's inference graph (aux heads dropped,
 *       BatchNorm folded or kept) in torch or model-zoo style, opsets 3–13, with the preprocessing and the class
 *       names as {@code metadata_props}.</li>
 * </ul>
 */
package dev.googlenet.onnx;
