package dev.googlenet.onnx;

import dev.googlenet.onnx.OnnxModel.Attribute;
import dev.googlenet.onnx.OnnxModel.Node;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The ONNX findings of issue 18: window attributes are checked against what they may be, and against the
 * input, before anything is allocated; names from the file are printed with their control characters escaped.
 */
class OnnxAttributeLimitsTest {
    private static final OnnxTensor ONE = OnnxTensor.ofFloats(new float[] {1}, 1, 1, 1, 1);

    private static String fails(OnnxModel m, Tensor input) {
        String msg = assertThrows(OnnxException.class, () -> OnnxRunner.of(m).run(input)).getMessage();
        System.out.println("MESSAGE " + msg);
        return msg;
    }

    private static OnnxModel conv(Attribute... attributes) throws OnnxException {
        return Graphs.single(13, Node.of("c", "Conv", List.of("x", "w"), List.of("y"), attributes),
                Map.of("w", ONE), 1L, 1L, 1L, 1L);
    }

    @Test
    void convPadsOfAMillionAreRefusedBeforeThePaddedInputIsMade() throws OnnxException {
        assertEquals("single.onnx: node 'c' (Conv): Conv: a result of [1, 1, 2000001, 2000001] (4.00e+12 elements) "
                + "is too large for this JVM's memory (inputs FLOAT[1,1,1,1], FLOAT[1,1,1,1])", fails(conv(Attribute.ofInts("pads", 1_000_000, 1_000_000,
                        1_000_000, 1_000_000)), Tensor.zeros(1, 1, 1, 1)));
        assertEquals("single.onnx: node 'c' (Conv): attribute pads=[1, 1, 1, 3000000] is invalid",
                fails(conv(Attribute.ofInts("pads", 1, 1, 1, 3_000_000)), Tensor.zeros(1, 1, 1, 1)));
    }

    @Test
    void kernelsStridesAndDilationsOutOfRangeAreRefused() throws OnnxException {
        OnnxModel pool = Graphs.single(13, Node.of("p", "MaxPool", List.of("x"), List.of("y"),
                Attribute.ofInts("kernel_shape", 1L << 40, 1L << 40)), Map.of(), 1L, 1L, 4L, 4L);
        assertEquals("single.onnx: node 'p' (MaxPool): attribute kernel_shape=[1099511627776, 1099511627776] is "
                + "invalid", fails(pool, Tensor.zeros(1, 1, 4, 4)));
        assertEquals("single.onnx: node 'c' (Conv): attribute strides=[0, 0] is invalid",
                fails(conv(Attribute.ofInts("strides", 0, 0)), Tensor.zeros(1, 1, 1, 1)));
        assertEquals("single.onnx: node 'c' (Conv): attribute dilations=[-1, -1] is invalid",
                fails(conv(Attribute.ofInts("dilations", -1, -1)), Tensor.zeros(1, 1, 1, 1)));
    }

    @Test
    void anOpNameWithANewlineOrEscIsEscaped() throws OnnxException {
        OnnxModel m = Graphs.single(13, Node.of("evil\u001b[2J\nname", "Relu\u001b]0;x\u0007", List.of("x"),
                List.of("y")), Map.of(), 1L, 1L);
        String msg = assertThrows(OnnxException.class, () -> OnnxRunner.of(m)).getMessage();
        System.out.println("MESSAGE " + msg);
        String node = "single.onnx: node 'evil\\u001b[2J\\nname' (Relu\\u001b]0;x\\u0007): ";
        assertEquals(node, msg.substring(0, Math.min(msg.length(), node.length())));
        assertEquals(0, msg.chars().filter(Character::isISOControl).count(), msg);
    }
}
