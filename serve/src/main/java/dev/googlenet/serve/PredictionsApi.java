package dev.googlenet.serve;

import dev.googlenet.data.RgbImage;
import dev.googlenet.infer.ImageClassifier;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DJL Serving's and TorchServe's {@code POST /predictions/{name}}: an image as the raw body or as a multipart
 * upload, answered with the top-k classes as {@code [{"className": ..., "probability": ...}, ...]}.
 * {@code ?topk=K} sets k (default 5); {@code ?explain=gradcam} answers {@code {"predictions": [...],
 * "explanation": {...}}} instead, with the Grad-CAM map of the top class as a PNG data URL.
 */
final class PredictionsApi {
    static final int DEFAULT_TOP_K = 5;

    private final ServeConfig config;

    PredictionsApi(ServeConfig config) {
        this.config = config;
    }

    Reply predict(ServedModel m, ServerRequest req) {
        int k = Requests.intQuery(req, "topk", DEFAULT_TOP_K, 1, m.numClasses());
        String explain = req.query().first("explain").orElse(null);
        if (explain != null && !explain.equals("gradcam")) {
            throw ApiException.badRequest("explain='" + explain + "' is not known: the one explanation is "
                    + "'gradcam'");
        }
        if (explain != null && !m.explainable()) {
            throw ApiException.badRequest("model '" + m.name() + "' is a graph that is not a GoogLeNet; Grad-CAM "
                    + "needs one");
        }
        InferenceServer.refuseWhenFull(m);
        byte[] body = Requests.body(req, config.maxRequestBytes());
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        byte[] file = Multipart.isFormData(contentType) ? Multipart.firstPart(body, contentType) : body;
        RgbImage image = Requests.image(file, "the uploaded image");
        float[] input = m.preprocess(image);
        float[] probabilities = ServedModel.probabilities(m.logits(List.of(input), config.requestTimeout())
                .getFirst());
        List<ImageClassifier.Prediction> top = m.top(probabilities, k);
        List<Map<String, Object>> predictions = new ArrayList<>(top.size());
        for (ImageClassifier.Prediction p : top) {
            predictions.add(Map.of("className", p.label(), "probability", p.probability()));
        }
        if (explain == null) {
            m.recycle(List.of(input)); // the batch has copied it
            return Reply.json(predictions);
        }
        ImageClassifier.Prediction best = top.getFirst();
        int[] s = m.imageShape();
        byte[] png = HeatmapPng.encode(m.gradCam(input, best.index()), s[2], s[1]);
        m.recycle(List.of(input)); // Grad-CAM has read it too
        Map<String, Object> explanation = new LinkedHashMap<>();
        explanation.put("method", "gradcam");
        explanation.put("layer", ServedModel.GRAD_CAM_LAYER);
        explanation.put("classIndex", best.index());
        explanation.put("className", best.label());
        explanation.put("width", s[2]);
        explanation.put("height", s[1]);
        explanation.put("png", "data:image/png;base64," + Base64.getEncoder().encodeToString(png));
        return Reply.json(Map.of("predictions", predictions, "explanation", explanation));
    }
}
