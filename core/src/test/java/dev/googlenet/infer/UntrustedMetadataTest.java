package dev.googlenet.infer;

import dev.googlenet.data.Preprocess;
import dev.googlenet.io.Safetensors;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.train.Checkpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The weight-file findings of issue 18, one crafted file each: metadata that parses but asks for too much, or is
 * not what it claims, is refused in one line naming the file, the field, the value and what is allowed — before
 * a model is allocated. Each file is written here, by the test, from a tiny model.
 */
class UntrustedMetadataTest {
    @TempDir
    Path dir;

    private static final GoogLeNetConfig TINY = GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
            .optNumClasses(4).optSmallInput(true).optWidth(1 / 16f).optInputChannels(1).optAuxHeads(false).build();

    /** A trained-looking weight file whose metadata {@code edit} changes. */
    private Path weights(String name, java.util.function.Consumer<Map<String, String>> edit) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(Checkpoints.weightsMetadata(TINY, List.of("a", "b", "c", "d"),
                Preprocess.TORCHVISION, "raw", 3));
        edit.accept(meta);
        Path file = dir.resolve(name);
        Safetensors.write(file, new GoogLeNet(TINY).stateDict(), meta);
        return file;
    }

    private Path config(String name, String key, String value) throws IOException {
        String field = java.util.regex.Matcher.quoteReplacement("\"" + key + "\":" + value);
        return weights(name, m -> m.put(Checkpoints.META_CONFIG,
                m.get(Checkpoints.META_CONFIG).replaceFirst("\"" + key + "\":[^,}]+", field)));
    }

    /** Both loaders (Models for classify/run, Checkpoints for eval --checkpoint) give the same message. */
    private static String refused(Path file) {
        String viaModels = assertThrows(IOException.class, () -> Models.load(file)).getMessage();
        String viaCheckpoints = assertThrows(IOException.class, () -> Checkpoints.load(file, false)).getMessage();
        assertEquals(viaModels, viaCheckpoints);
        System.out.println("MESSAGE " + viaModels);
        return viaModels;
    }

    @Test
    void aHundredMillionClassesIsRefusedBeforeAnyAllocation() throws IOException {
        Path f = config("classes.safetensors", "num_classes", "100000000");
        assertEquals(f + ": googlenet.config.num_classes is 100000000; allowed: an integer from 1 to 1,000,000",
                refused(f));
    }

    @Test
    void inputChannelsOfTwoToThe31IsRefused() throws IOException {
        Path f = config("channels.safetensors", "input_channels", "2147483647");
        assertEquals(f + ": googlenet.config.input_channels is 2147483647; allowed: an integer from 1 to 64",
                refused(f));
    }

    @Test
    void width16IsRefused() throws IOException {
        Path f = config("width.safetensors", "width", "16.0");
        assertEquals(f + ": googlenet.config.width is 16.0; allowed: a number from 0.0009765625 to 4", refused(f));
    }

    @Test
    void aModelTooLargeInAllIsRefusedWithItsSize() throws IOException {
        // each field in range, together 4e9 parameters
        Path f = weights("large.safetensors", m -> m.put(Checkpoints.META_CONFIG, m.get(Checkpoints.META_CONFIG)
                .replaceFirst("\"num_classes\":4", "\"num_classes\":1000000").replaceFirst("\"width\":[^,}]+",
                        "\"width\":3.9")));
        assertEquals(f + ": this configuration (width 3.9, 1,000,000 classes, 1 input channels) makes a model of up "
                + "to 4,153,018,989 parameters; allowed: at most 268,435,456", refused(f));
    }

    @Test
    void aNonNumericEpochIsRefused() throws IOException {
        Path f = weights("epoch.safetensors", m -> m.put(Checkpoints.META_EPOCH, "x"));
        assertEquals(f + ": googlenet.epoch is \"x\"; allowed: an integer from 0 to 100,000", refused(f));
    }

    @Test
    void aMalformedConfigIsOneLine() throws IOException {
        Path f = weights("config.safetensors", m -> m.put(Checkpoints.META_CONFIG, "{\"variant\": \"paper\",\n"));
        String m = refused(f);
        assertEquals(true, m.startsWith(f + ": googlenet.config is not valid JSON: Unexpected end-of-input"), m);
        assertEquals(false, m.contains("\n"), m);
        Path typed = config("typed.safetensors", "aux_heads", "\"yes\"");
        assertEquals(typed + ": googlenet.config.aux_heads is \"yes\"; allowed: true or false", refused(typed));
        Path variant = config("variant.safetensors", "variant", "\"inception\\u001b[2J\"");
        assertEquals(variant + ": googlenet.config.variant is \"inception\\u001B[2J\"; allowed: one of paper, "
                + "torchvision", refused(variant));
    }

    @Test
    void malformedPreprocessingNamesTheFileAndTheKeyOnly() throws IOException {
        Path f = weights("pre.safetensors", m -> m.put("preprocess.mean", "1,2"));
        assertEquals(f + ": preprocess.mean is '1,2'; allowed: 3 comma-separated finite numbers", refused(f));
        Path crop = weights("crop.safetensors", m -> m.put("preprocess.crop", "1000000000"));
        assertEquals(crop + ": preprocess.crop is '1000000000'; allowed: an integer from 1 to 16384", refused(crop));
    }

    @Test
    void aStateDictWithAHugeClassifierIsRefused() throws IOException {
        Path f = dir.resolve("fc.safetensors");
        Map<String, Tensor> state = new LinkedHashMap<>(new GoogLeNet(GoogLeNetConfig.builder()
                .setVariant(Variant.TORCHVISION).optNumClasses(2).optAuxHeads(false).build()).stateDict());
        state.put("fc.weight", Tensor.zeros(Integer.MAX_VALUE, 0)); // no data: a few bytes of header
        Safetensors.write(f, state, Map.of("googlenet.variant", "torchvision"));
        String m = assertThrows(IOException.class, () -> Models.load(f)).getMessage();
        System.out.println("MESSAGE " + m);
        assertEquals(f + ": fc.weight's shape is [2147483647, 0]; allowed: [classes, 1024] with 1 to 1000000 "
                + "classes", m);
    }
}
