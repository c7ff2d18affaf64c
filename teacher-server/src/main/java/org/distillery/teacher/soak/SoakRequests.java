package org.distillery.teacher.soak;

import com.google.protobuf.ByteString;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The soak's requests: a fixed pool of distinct good requests (so each has one reference answer), and bad requests
 * of each kind made from them. Good requests ask for {@link #OUTPUTS} in FLOAT32.
 */
public final class SoakRequests {
    /** Outputs good requests ask for and the soak compares. */
    public static final List<String> OUTPUTS = List.of("logits", "pooled_output");
    private static final int[][] GOOD_SHAPES = {{1, 1}, {1, 7}, {1, 16}, {2, 5}, {2, 33}, {3, 64}, {4, 12},
        {4, 128}, {5, 20}, {6, 9}, {8, 48}, {8, 128}};

    private final List<InferRequest> good = new ArrayList<>();
    private final ServerSettings settings;
    private final InferRequest tooLargeMessage;

    /** Builds the good pool from a seed. */
    public SoakRequests(long seed, ServerSettings settings) {
        this.settings = settings;
        SplittableRandom random = new SplittableRandom(seed);
        for (int[] shape : GOOD_SHAPES) {
            good.add(bert(SoakTeacher.NAME, random, shape[0], shape[1]));
        }
        // A message past --max-message-mb: refused by the transport before the service sees it. Made once.
        int longs = ((settings.maxMessageMb() << 20) + 4096) / 8;
        tooLargeMessage = good.get(0).toBuilder().putInputs("input_ids", Tensor.newBuilder().setDtype(DataType.INT64)
                .addShape(1).addShape(longs).setData(ByteString.copyFrom(new byte[longs * 8])).build()).build();
    }

    /** The distinct good requests; a response to {@code good().get(i)} is checked against reference i. */
    public List<InferRequest> good() {
        return good;
    }

    /** The largest good request (abandoned streams send it, asking for every output). */
    public InferRequest largest() {
        return good.get(good.size() - 1).toBuilder().clearOutputs().build();
    }

    /** A request of a bad kind, made from a random good one. */
    public InferRequest bad(Kind kind, SplittableRandom random, boolean unary) {
        InferRequest base = good.get(random.nextInt(good.size()));
        long[] shape = TensorCodec.shape(base.getInputsOrThrow("input_ids"));
        switch (kind) {
            case UNKNOWN_MODEL:
                return base.toBuilder().setModel("no-such-model-" + random.nextInt(1000)).build();
            case WRONG_DTYPE:
                return base.toBuilder().putInputs("input_ids", TensorCodec.encodeFloats(
                        new float[(int) (shape[0] * shape[1])], shape, DataType.FLOAT32)).build();
            case WRONG_RANK: {
                Tensor ids = base.getInputsOrThrow("input_ids");
                return base.toBuilder().putInputs("input_ids", ids.toBuilder().addShape(1).build()).build();
            }
            case BYTE_LENGTH: {
                Tensor ids = base.getInputsOrThrow("input_ids");
                ByteString data = random.nextBoolean() ? ids.getData().substring(0, ids.getData().size() - 8)
                        : ids.getData().concat(ByteString.copyFrom(new byte[3]));
                return base.toBuilder().putInputs("input_ids", ids.toBuilder().setData(data).build()).build();
            }
            case TOKEN_OUT_OF_RANGE: {
                long[] ids = TensorCodec.decodeLongs("input_ids", base.getInputsOrThrow("input_ids"));
                long[] outside = {SoakTeacher.VOCAB, SoakTeacher.VOCAB + 1000L, Long.MAX_VALUE, -1, Long.MIN_VALUE};
                ids[random.nextInt(ids.length)] = outside[random.nextInt(outside.length)];
                return base.toBuilder().putInputs("input_ids", TensorCodec.encodeLongs(ids, shape)).build();
            }
            case SEQUENCE_TOO_LONG:
                return bert(SoakTeacher.NAME, random, 1, SoakTeacher.MAX_POSITIONS + 1
                        + random.nextInt(SoakTeacher.MAX_POSITIONS));
            case EMPTY_SEQUENCE:
                return bert(SoakTeacher.NAME, random, 1 + random.nextInt(2), 0);
            case OVERSIZE:
                return oversize(random, unary);
            default:
                throw new IllegalArgumentException(kind + " is not a bad request");
        }
    }

    /** Over the examples limit, over the elements limit, or (unary only) over the message size limit. */
    private InferRequest oversize(SplittableRandom random, boolean unary) {
        switch (random.nextInt(unary ? 3 : 2)) {
            case 0:
                return bert(SoakTeacher.NAME, random, settings.maxRequestExamples() + 1, 4);
            case 1: {
                int seq = SoakTeacher.MAX_POSITIONS;
                int batch = (int) (settings.maxRequestElements() / seq + 1);
                return bert(SoakTeacher.NAME, random, Math.min(batch, settings.maxRequestExamples()), seq);
            }
            default:
                return tooLargeMessage;
        }
    }

    /** A BERT request: random ids in the vocabulary, a mask with some padding, mixed token types. */
    static InferRequest bert(String model, SplittableRandom random, int batch, int seq) {
        long[] shape = {batch, seq};
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        long[] types = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            int real = seq == 0 ? 0 : 1 + random.nextInt(seq);
            for (int s = 0; s < seq; s++) {
                int i = b * seq + s;
                ids[i] = s == 0 ? 2 : random.nextInt(SoakTeacher.VOCAB);
                mask[i] = s < real ? 1 : 0;
                types[i] = s >= real / 2 ? 1 : 0;
            }
        }
        return InferRequest.newBuilder().setModel(model).addAllOutputs(OUTPUTS).setOutputDtype(DataType.FLOAT32)
                .putInputs("input_ids", TensorCodec.encodeLongs(ids, shape))
                .putInputs("attention_mask", TensorCodec.encodeLongs(mask, shape))
                .putInputs("token_type_ids", TensorCodec.encodeLongs(types, shape)).build();
    }
}
