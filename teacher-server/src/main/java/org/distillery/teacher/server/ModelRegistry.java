package org.distillery.teacher.server;

import ai.onnxruntime.OrtException;
import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.CombineMode;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.batching.DynamicBatcher;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.InputBounds;
import org.distillery.teacher.runtime.OnnxModel;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.runtime.TensorSpec;
import org.distillery.teacher.tokenize.TextTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The models and ensembles a server holds, by name. Built once at start; every check happens while building. */
public final class ModelRegistry implements AutoCloseable {
    private final Map<String, Endpoint> endpoints;
    private final List<ServedModel> models;
    private final TeacherMetrics metrics;

    private ModelRegistry(Map<String, Endpoint> endpoints, List<ServedModel> models, TeacherMetrics metrics) {
        this.endpoints = endpoints;
        this.models = models;
        this.metrics = metrics;
    }

    public static Builder builder(SessionFactory sessions, BatchingOptions batching) {
        return new Builder(sessions, batching);
    }

    /**
     * The model or ensemble with this name.
     *
     * @throws ServingException NOT_FOUND listing the names the server has
     */
    public Endpoint endpoint(String name) {
        Endpoint e = endpoints.get(name);
        if (e == null) {
            throw ServingException.notFound("unknown model '" + name + "'; this server has " + endpoints.keySet());
        }
        return e;
    }

    /** True when a model or ensemble has this name. */
    public boolean has(String name) {
        return endpoints.containsKey(name);
    }

    /** The metrics the models' batchers report to ({@link TeacherMetrics#disabled()} unless set when building). */
    public TeacherMetrics metrics() {
        return metrics;
    }

    public Collection<Endpoint> endpoints() {
        return endpoints.values();
    }

    /** The single models (not ensembles). */
    public List<ServedModel> models() {
        return models;
    }

    /** Stops every batcher, finishing queued work within the grace period, and frees the sessions. */
    public void close(long graceMillis) {
        long until = System.currentTimeMillis() + graceMillis;
        for (ServedModel m : models) {
            m.close(Math.max(1, until - System.currentTimeMillis()));
        }
    }

    @Override
    public void close() {
        close(5000);
    }

    /** Loads models and ensembles, failing with one clear message on the first problem. */
    public static final class Builder {
        private final SessionFactory sessions;
        private final BatchingOptions batching;
        private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        private final List<ServedModel> models = new ArrayList<>();
        private TeacherMetrics metrics = TeacherMetrics.disabled();

        private Builder(SessionFactory sessions, BatchingOptions batching) {
            this.sessions = sessions;
            this.batching = batching;
        }

        /**
         * Reports batching (queue wait, compute, batch size, queue depth) and, through the server, requests to
         * {@code metrics}. Must come before any model.
         */
        public Builder metrics(TeacherMetrics metrics) {
            if (!models.isEmpty()) {
                throw new IllegalStateException("set metrics before adding models");
            }
            this.metrics = metrics;
            return this;
        }

        /**
         * Loads one model.
         *
         * @param tokenizer tokenizer.json, or null for a tensors-only model
         * @param padId     pad id for {@code input_ids}, or null for the tokenizer's (0 without one)
         * @param maxLength tokenizer truncation length, or null for the graph's fixed sequence length or 512
         * @throws IOException              when a file is missing or unreadable
         * @throws IllegalArgumentException when the model cannot be served as asked
         */
        public Builder addModel(String name, Path onnx, Path tokenizer, Long padId, Integer maxLength)
                throws IOException {
            checkName(name);
            if (!Files.isRegularFile(onnx)) {
                throw new IOException("model '" + name + "': ONNX file not found: " + onnx);
            }
            OnnxModel model;
            try {
                model = OnnxModel.load(name, onnx, sessions);
            } catch (OrtException e) {
                throw new IOException("model '" + name + "': ONNX Runtime cannot load " + onnx + ": "
                        + e.getMessage(), e);
            }
            TextTokenizer tok = null;
            try {
                InputBounds bounds = InputBounds.read(onnx, integerInputs(model))
                        .limitSequence(maxLength == null ? 0 : maxLength);
                if (tokenizer != null) {
                    checkTokenizerInputs(name, model);
                    tok = TextTokenizer.load(tokenizer, maxLength != null ? maxLength
                            : defaultMaxLength(model, bounds), padId);
                }
                long pad = padId != null ? padId : tok != null ? tok.padId() : 0L;
                Map<String, Long> padValues = new LinkedHashMap<>();
                if (model.inputs().containsKey(TextTokenizer.INPUT_IDS)) {
                    padValues.put(TextTokenizer.INPUT_IDS, pad);
                }
                String version = ModelVersion.ofModel(onnx, tokenizer, pad, tok != null ? tok.maxLength() : 0);
                DynamicBatcher batcher = new DynamicBatcher(model, batching, padValues, metrics.batches(name));
                ServedModel served = new ServedModel(model, batcher, tok, bounds, version);
                metrics.watchQueue(name, batcher::queueDepth);
                endpoints.put(name, served);
                models.add(served);
                return this;
            } catch (IOException | RuntimeException e) {
                if (tok != null) {
                    tok.close();
                }
                try {
                    model.close();
                } catch (OrtException ignored) {
                    // already failing
                }
                if (e instanceof IOException) {
                    throw new IOException("model '" + name + "': " + e.getMessage(), e);
                }
                throw e;
            }
        }

        private static void checkTokenizerInputs(String name, OnnxModel model) {
            if (!model.inputs().containsKey(TextTokenizer.INPUT_IDS)) {
                throw new IllegalArgumentException("model '" + name + "' has a tokenizer but no 'input_ids' input; "
                        + "its inputs are " + model.inputs().values());
            }
            for (TensorSpec spec : model.inputs().values()) {
                if (!TextTokenizer.PRODUCED.contains(spec.name())) {
                    throw new IllegalArgumentException("model '" + name + "': input '" + spec.name() + "' cannot be"
                            + " made from texts; a tokenizer feeds " + TextTokenizer.PRODUCED);
                }
            }
        }

        /** The graph's fixed sequence length, else its position table's rows (at most 512), else 512. */
        private static int defaultMaxLength(OnnxModel model, InputBounds bounds) {
            long[] shape = model.inputs().get(TextTokenizer.INPUT_IDS).shape();
            if (shape.length > 1 && shape[1] > 0) {
                return (int) shape[1];
            }
            return bounds.maxSequence() > 0 ? (int) Math.min(512, bounds.maxSequence()) : 512;
        }

        private static Set<String> integerInputs(OnnxModel model) {
            Set<String> names = new LinkedHashSet<>();
            model.inputs().values().stream().filter(spec -> spec.type() != ElementType.FLOAT)
                    .forEach(spec -> names.add(spec.name()));
            return names;
        }

        /** Adds an ensemble of models added before. */
        public Builder addEnsemble(String name, List<String> memberNames, CombineMode defaultCombine) {
            checkName(name);
            List<ServedModel> members = new ArrayList<>();
            for (String m : memberNames) {
                Endpoint e = endpoints.get(m);
                if (!(e instanceof ServedModel)) {
                    throw new IllegalArgumentException("ensemble '" + name + "': member '" + m + "' is "
                            + (e == null ? "not a model given with --model" : "an ensemble; members must be models")
                            + "; models are " + models.stream().map(ServedModel::name).toList());
                }
                if (members.contains(e)) {
                    throw new IllegalArgumentException("ensemble '" + name + "': member '" + m + "' listed twice");
                }
                members.add((ServedModel) e);
            }
            endpoints.put(name, Ensemble.of(name, members, defaultCombine));
            return this;
        }

        private void checkName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("model and ensemble names must not be empty");
            }
            if (endpoints.containsKey(name)) {
                throw new IllegalArgumentException("name '" + name + "' is used twice");
            }
        }

        /** The registry; if building fails the caller closes the builder's models with {@link #abandon()}. */
        public ModelRegistry build() {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("no models: give at least one --model NAME=PATH.onnx");
            }
            return new ModelRegistry(Map.copyOf(endpoints), List.copyOf(models), metrics);
        }

        /** Frees whatever was loaded, after a failure. */
        public void abandon() {
            models.forEach(m -> m.close(100));
        }
    }
}
