package dev.googlenet.onnx;

import dev.googlenet.data.Preprocess;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link OnnxImporter} made of an ONNX file: the graph, ready to run; our {@link GoogLeNet} holding its
 * weights when the graph is one (so it can be fine-tuned, summarized and exported again); the preprocessing its
 * input expects; its input and output names; and its class names, when the file carries them.
 *
 * @param source       the file name, for messages
 * @param runner       the graph as it is in the file, executable
 * @param googLeNet    the graph as our model (inference graph: no aux heads; its {@code forward} gives logits even
 *                     when the graph ends in a Softmax), or null when it is not a GoogLeNet ({@link #notGoogLeNet}
 *                     says why)
 * @param notGoogLeNet why the graph could not be mapped onto a GoogLeNet, or null when it was
 * @param preprocess   what images must go through before they are fed to the input
 * @param inputName    the graph's (single) data input
 * @param outputNames  the graph's outputs, in order (e.g. {@code logits}, or {@code logits, prob})
 * @param inputShape   the input shape the model was matched at ([1,3,224,224] when the file leaves it open)
 * @param classNames   the class names the file carries in its metadata, one per class; empty when it has none
 */
public record ImportedModel(String source, OnnxRunner runner, GoogLeNet googLeNet, String notGoogLeNet,
                           Preprocess preprocess, String inputName, List<String> outputNames, int[] inputShape,
                           List<String> classNames) {

    public ImportedModel {
        outputNames = List.copyOf(outputNames);
        inputShape = inputShape.clone();
        classNames = List.copyOf(classNames);
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** Our model, when the graph is a GoogLeNet. */
    public Optional<GoogLeNet> model() {
        return Optional.ofNullable(googLeNet);
    }

    /** Runs the graph as it is in the file; every output by name. */
    public Map<String, OnnxTensor> run(Tensor input) throws OnnxException {
        return runner.run(Map.of(inputName, OnnxTensor.of(input)));
    }

    /** Runs the graph and returns its first output. */
    public Tensor forward(Tensor input) throws OnnxException {
        return run(input).get(outputNames.getFirst()).tensor();
    }
}
