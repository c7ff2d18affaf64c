package org.distillery.teacher.cli;

import com.google.gson.GsonBuilder;
import io.grpc.ManagedChannel;
import org.distillery.common.fleet.TeacherTarget;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.proto.v1.Tensor;
import org.distillery.proto.v1.TextInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code teacher-server query}: asks a running server for model info, or sends texts and prints the outputs. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Describes a served model, or sends texts to it and prints outputs as JSON.")
public final class QueryCommand implements Callable<Integer> {
    @Option(names = {"--target", "--teacher"}, defaultValue = "127.0.0.1:50051",
            description = "The server: host:port, a comma list of them (round robin), or a gRPC target such as "
                    + "dns:///teachers.example:50051 (default: ${DEFAULT-VALUE}).")
    String target;
    @Option(names = "--model", required = true, description = "Model or ensemble name.")
    String model;
    @Option(names = "--text", description = "A text to send (repeatable); without texts, prints model info.")
    List<String> texts = new ArrayList<>();
    @Option(names = "--output", description = "Output to return (repeatable; default all).")
    List<String> outputs = new ArrayList<>();
    @Option(names = "--top-k", defaultValue = "0", description = "Top-k over the last axis; 0 = whole outputs.")
    int topK;
    @Option(names = "--timeout-seconds", defaultValue = "30", description = "Deadline (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;
    @Mixin
    ClientSecurityMixin security = new ClientSecurityMixin();

    @Override
    public Integer call() throws Exception {
        ManagedChannel channel = security.channel(TeacherTarget.parse("--target", target), 256 << 20);
        try {
            TeacherServiceGrpc.TeacherServiceBlockingStub stub = TeacherServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
            if (texts.isEmpty()) {
                ModelInfo info = stub.getModelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
                System.out.print(info);
                return 0;
            }
            InferRequest.Builder request = InferRequest.newBuilder().setModel(model).setRequestId("query")
                    .addAllOutputs(outputs).setTopK(topK);
            texts.forEach(t -> request.addTexts(TextInput.newBuilder().setText(t)));
            InferResponse response = stub.infer(request.build());
            Map<String, Object> json = new LinkedHashMap<>();
            response.getOutputsMap().forEach((name, t) -> json.put(name, describe(name, t)));
            response.getTopKIndicesMap().forEach((name, t) -> json.put(name + ".top_k_indices",
                    Map.of("shape", t.getShapeList(), "values", TensorCodec.decodeInts(name, t))));
            json.put("members_used", response.getMembersUsedList());
            json.put("timings", Map.of("queue_us", response.getTimings().getQueueUs(), "compute_us",
                    response.getTimings().getComputeUs(), "batch_size", response.getTimings().getBatchSize()));
            System.out.println(new GsonBuilder().setPrettyPrinting().create().toJson(json));
            return 0;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Map<String, Object> describe(String name, Tensor t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shape", t.getShapeList());
        out.put("values", TensorCodec.isFloat(t.getDtype()) ? TensorCodec.decodeFloats(name, t)
                : TensorCodec.decodeLongs(name, t));
        return out;
    }
}
