package org.distillery.common.testing;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.ExtraOps;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Teacher models for tests, written with the project's ONNX writer. */
public final class TestTeachers {
    /** Tiny BERT-style config: vocab 100, hidden 16, 2 layers, 2 heads, 3 labels, 64 positions. */
    public static final BertGraphConfig TINY_BERT = new BertGraphConfig(100, 16, 2, 2, 32, 64, 2, 3, 1e-12f);

    private TestTeachers() {
    }

    /**
     * An MLP over float features: input {@code features [batch, in]}, outputs {@code logits [batch, classes]} and
     * {@code hidden [batch, hidden]} (ReLU activations).
     */
    public static Path mlp(Path file, int in, int hidden, int classes, long seed) throws IOException {
        RandomWeights weights = new RandomWeights(seed, 0.5);
        OnnxGraphWriter writer = new OnnxGraphWriter();
        ONNXPlaceholder x = writer.input("features", DataType.FLOAT, new long[]{-1, in}, new String[]{"batch", null});
        ONNXNode h = writer.apply(ExtraOps.RELU, writer.linear(x,
                writer.floats("fc1.weight", new long[]{hidden, in}, weights.get("fc1.weight", new long[]{hidden, in})),
                writer.floats("fc1.bias", new long[]{hidden}, weights.get("fc1.bias", new long[]{hidden}))));
        ONNXNode logits = writer.linear(h,
                writer.floats("fc2.weight", new long[]{classes, hidden},
                        weights.get("fc2.weight", new long[]{classes, hidden})),
                writer.floats("fc2.bias", new long[]{classes}, weights.get("fc2.bias", new long[]{classes})));
        writer.output(logits, "logits", DataType.FLOAT, new long[]{-1, classes}, new String[]{"batch", null});
        writer.output(h, "hidden", DataType.FLOAT, new long[]{-1, hidden}, new String[]{"batch", null});
        OnnxGraphWriter.write(writer.model("mlp", "test", Map.of("kind", "mlp")), file);
        return file;
    }

    /** A tiny BERT-style text classifier (see {@link BertGraphBuilder}) with random weights from a seed. */
    public static Path tinyBert(Path file, long seed) throws IOException {
        return bert(file, TINY_BERT, seed);
    }

    /** A BERT-style classifier of any size with random weights from a seed. */
    public static Path bert(Path file, BertGraphConfig config, long seed) throws IOException {
        BertGraphBuilder builder = new BertGraphBuilder(config, new RandomWeights(seed, 0.2));
        OnnxGraphWriter.write(builder.build("bert", Map.of("kind", "bert")), file);
        return file;
    }
}
