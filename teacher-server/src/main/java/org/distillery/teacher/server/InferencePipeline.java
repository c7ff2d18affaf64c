package org.distillery.teacher.server;

import io.grpc.Context;
import org.distillery.common.ensemble.MemberSampler;
import org.distillery.common.errors.ServingException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.tensor.TopK;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.EnsembleOptions;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.MemberOutputs;
import org.distillery.proto.v1.Tensor;
import org.distillery.proto.v1.Timings;
import org.distillery.teacher.batching.InferenceJob;
import org.distillery.teacher.batching.JobResult;
import org.distillery.teacher.batching.RowSelector;
import org.distillery.teacher.ensemble.EnsembleCombiner;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.TensorSpec;
import org.distillery.teacher.tokenize.TextTokenizer;
import org.distillery.teacher.vocabulary.VocabularyOptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One request's way through the server: resolve the model or ensemble, check the request, tokenize or decode
 * inputs, submit a job to each chosen member's batcher (with the rows to keep when the request gives positions:
 * the batcher gathers them while it splits the run), then combine, apply top-k or the vocabulary selection and
 * encode the response. Checks fail fast by throwing {@link ServingException}; run failures complete the future
 * exceptionally.
 */
public final class InferencePipeline {
    private final ModelRegistry registry;
    private final RequestValidator validator;
    private final ServerLimits limits;
    private final Executor responseExecutor;

    /**
     * @param responseExecutor where responses are combined and encoded, off the batcher threads
     */
    public InferencePipeline(ModelRegistry registry, ServerLimits limits, Executor responseExecutor) {
        this.registry = registry;
        this.validator = new RequestValidator(limits);
        this.limits = limits;
        this.responseExecutor = responseExecutor;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** Starts a request; the future completes with the response or the failure to send as a status. */
    public CompletableFuture<InferResponse> infer(InferRequest request, Context context) {
        Endpoint endpoint = registry.endpoint(request.getModel());
        List<String> outputs = outputs(endpoint, request);
        DataType dtype = outputDtype(request.getOutputDtype());
        // top_k applies to the outputs asked for by name, or to the logits output alone when none were named.
        List<String> topKOutputs = request.getOutputsCount() > 0 ? outputs : List.of(endpoint.logitsOutput());
        checkTopK(endpoint, topKOutputs, request.getTopK());
        EnsembleOptions options = request.getEnsemble();
        CombineMode mode = combineMode(endpoint, options);
        float temperature = temperature(options);
        List<ServedModel> members = members(endpoint, options);
        VocabularyOptions vocabulary = request.hasVocabulary()
                ? RequestVocabulary.check(endpoint, request, outputs, mode) : null;
        if (request.getTextsCount() > 0 && request.getInputsCount() > 0) {
            throw ServingException.invalidArgument("request has both inputs and texts; send exactly one");
        }
        if (request.getTextsCount() == 0 && request.getInputsCount() == 0) {
            throw ServingException.invalidArgument("request has neither inputs nor texts; model '"
                    + endpoint.name() + "' expects inputs " + endpoint.inputs().values()
                    + (endpoint.acceptsTexts() ? " or texts" : ""));
        }
        if (request.getTextsCount() > 0) {
            if (!endpoint.acceptsTexts()) {
                throw ServingException.failedPrecondition("model '" + endpoint.name() + "' was started without a "
                        + "tokenizer and takes tensors only (" + endpoint.inputs().values() + "); start it with "
                        + "--model NAME=PATH,tokenizer=tokenizer.json to send texts");
            }
            validator.checkBatch(request.getTextsCount());
        }
        RequestPositions positions = request.hasPositions() ? RequestPositions.parse(request.getPositions(),
                endpoint, outputs, limits.maxRequestElements()) : null;
        Set<String> wanted = new LinkedHashSet<>(outputs);
        long tokenizeNanos = 0;
        List<CompletableFuture<JobResult>> futures = new ArrayList<>();
        try {
            for (ServedModel member : members) {
                Map<String, HostTensor> inputs;
                int[] textLengths = null;
                if (request.getTextsCount() > 0) {
                    long start = System.nanoTime();
                    TextTokenizer.Tokenized tokenized = member.tokenizer().tokenize(request.getTextsList(),
                            member.inputs().keySet());
                    tokenizeNanos += System.nanoTime() - start;
                    inputs = tokenized.inputs();
                    textLengths = tokenized.lengths();
                    validator.checkTokens(member, inputs);
                } else {
                    inputs = validator.tensors(member, request);
                }
                int examples = inputs.values().iterator().next().batch();
                RowSelector rows = positions == null ? null : positions.select(member, inputs, examples, textLengths);
                InferenceJob job = new InferenceJob(inputs, wanted, examples,
                        context == null ? null : context.getDeadline(), context, rows);
                member.batcher().submit(job);
                futures.add(job.result());
            }
        } catch (RuntimeException e) {
            futures.forEach(f -> f.cancel(false)); // queued jobs of earlier members are dropped, not run
            throw e;
        }
        long tokenizeMicros = TimeUnit.NANOSECONDS.toMicros(tokenizeNanos);
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).thenApplyAsync(ignored -> {
            List<JobResult> results = new ArrayList<>();
            futures.forEach(f -> results.add(f.join()));
            return respond(request, endpoint, members, results, outputs, topKOutputs, dtype, mode, temperature,
                    vocabulary, tokenizeMicros);
        }, responseExecutor);
    }

    private InferResponse respond(InferRequest request, Endpoint endpoint, List<ServedModel> members,
                                  List<JobResult> results, List<String> outputs, List<String> topKOutputs,
                                  DataType dtype, CombineMode mode, float temperature, VocabularyOptions vocabulary,
                                  long tokenizeMicros) {
        InferResponse.Builder response = InferResponse.newBuilder().setRequestId(request.getRequestId());
        long queue = 0;
        long compute = 0;
        int batch = 0;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            names.add(members.get(i).name());
            queue = Math.max(queue, results.get(i).queueNanos());
            compute = Math.max(compute, results.get(i).computeNanos());
            batch = Math.max(batch, results.get(i).batchSize());
        }
        response.addAllMembersUsed(names);
        response.setTimings(Timings.newBuilder().setQueueUs(TimeUnit.NANOSECONDS.toMicros(queue))
                .setComputeUs(TimeUnit.NANOSECONDS.toMicros(compute)).setBatchSize(batch)
                .setTokenizeUs(tokenizeMicros));
        int k = request.getTopK();
        if (mode == CombineMode.ALL) {
            for (int i = 0; i < members.size(); i++) {
                MemberOutputs.Builder member = MemberOutputs.newBuilder().setMember(names.get(i));
                encode(results.get(i).outputs(), outputs, topKOutputs, dtype, k, member::putOutputs,
                        member::putTopKIndices);
                response.addMemberOutputs(member);
            }
            return response.build();
        }
        Map<String, HostTensor> combined;
        if (members.size() == 1 && mode != CombineMode.MEAN_PROBS) {
            combined = results.get(0).outputs();
        } else {
            List<Map<String, HostTensor>> each = new ArrayList<>();
            results.forEach(r -> each.add(r.outputs()));
            combined = EnsembleCombiner.combine(names, each, outputs, endpoint.logitsOutput(), mode, temperature);
        }
        if (vocabulary == null) {
            encode(combined, outputs, topKOutputs, dtype, k, response::putOutputs, response::putTopKIndices);
            return response.build();
        }
        String logits = endpoint.logitsOutput();
        List<String> others = new ArrayList<>(outputs);
        others.remove(logits);
        encode(combined, others, topKOutputs, dtype, 0, response::putOutputs, response::putTopKIndices);
        RequestVocabulary.encode(logits, combined.get(logits), vocabulary, dtype, response);
        return response.build();
    }

    private static void encode(Map<String, HostTensor> values, List<String> outputs, List<String> topKOutputs,
                               DataType dtype, int k, BiConsumer<String, Tensor> putOutput,
                               BiConsumer<String, Tensor> putIndices) {
        for (String name : outputs) {
            HostTensor t = values.get(name);
            switch (t.type()) {
                case FLOAT:
                    if (k > 0 && topKOutputs.contains(name)) {
                        // k past the last axis returns the whole axis, sorted
                        int axis = t.shape().length == 0 ? k : (int) t.shape()[t.shape().length - 1];
                        TopK top = TopK.of(name, t.floats(), t.shape(), Math.max(1, Math.min(k, axis)));
                        putOutput.accept(name, TensorCodec.encodeFloats(top.values, top.shape, dtype));
                        putIndices.accept(name, TensorCodec.encodeInts(top.indices, top.shape));
                    } else {
                        putOutput.accept(name, TensorCodec.encodeFloats(t.floats(), t.shape(), dtype));
                    }
                    break;
                case INT64:
                    putOutput.accept(name, TensorCodec.encodeLongs(t.longs(), t.shape()));
                    break;
                default:
                    putOutput.accept(name, TensorCodec.encodeInts(t.ints(), t.shape()));
            }
        }
    }

    private static List<String> outputs(Endpoint endpoint, InferRequest request) {
        if (request.getOutputsCount() == 0) {
            return new ArrayList<>(endpoint.outputs().keySet());
        }
        List<String> outputs = new ArrayList<>();
        for (String name : request.getOutputsList()) {
            if (!endpoint.outputs().containsKey(name)) {
                throw ServingException.invalidArgument("unknown output '" + name + "' for model '" + endpoint.name()
                        + "'; its outputs are " + endpoint.outputs().keySet());
            }
            if (!outputs.contains(name)) {
                outputs.add(name);
            }
        }
        return outputs;
    }

    private static DataType outputDtype(DataType requested) {
        switch (requested) {
            case DATA_TYPE_UNSPECIFIED:
                return DataType.FLOAT32;
            case FLOAT32:
            case FLOAT16:
            case BFLOAT16:
                return requested;
            default:
                throw ServingException.invalidArgument("output_dtype must be FLOAT32, FLOAT16 or BFLOAT16, got "
                        + requested);
        }
    }

    private static void checkTopK(Endpoint endpoint, List<String> outputs, int k) {
        if (k < 0) {
            throw ServingException.invalidArgument("top_k must be >= 0 (0 = whole outputs), got " + k);
        }
        if (k == 0) {
            return;
        }
        for (String name : outputs) {
            TensorSpec spec = endpoint.outputs().get(name);
            if (spec.type() != ElementType.FLOAT) {
                throw ServingException.invalidArgument("top_k applies to float outputs; output '" + name + "' is "
                        + spec.type());
            }
            if (spec.rank() == 0) {
                throw ServingException.invalidArgument("top_k on output '" + name + "': it is a scalar");
            }
        }
    }

    private static CombineMode combineMode(Endpoint endpoint, EnsembleOptions options) {
        CombineMode mode = options.getCombine();
        if (mode == CombineMode.UNRECOGNIZED) {
            throw ServingException.invalidArgument("unknown combine mode " + options.getCombineValue()
                    + "; expected MEAN_LOGITS, MEAN_PROBS or ALL");
        }
        return mode == CombineMode.COMBINE_DEFAULT ? endpoint.defaultCombine() : mode;
    }

    private static float temperature(EnsembleOptions options) {
        float t = options.getTemperature();
        if (t == 0f) {
            return 1f;
        }
        if (!(t > 0f) || Float.isInfinite(t)) {
            throw ServingException.invalidArgument("temperature must be > 0 (0 = 1.0), got " + t);
        }
        return t;
    }

    private static List<ServedModel> members(Endpoint endpoint, EnsembleOptions options) {
        if (!endpoint.isEnsemble()) {
            if (options.getSampleMembers() > 1) {
                throw ServingException.invalidArgument("model '" + endpoint.name() + "' is not an ensemble; "
                        + "sample_members must be 0 or 1, got " + options.getSampleMembers());
            }
            return endpoint.members();
        }
        return MemberSampler.sample(endpoint.name(), endpoint.members(), options.getSampleMembers(),
                options.getSeed());
    }
}
