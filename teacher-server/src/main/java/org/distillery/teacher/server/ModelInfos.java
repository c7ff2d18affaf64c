package org.distillery.teacher.server;

import org.distillery.proto.v1.ModelInfo;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.TensorSpec;

/** Describes endpoints as {@link ModelInfo} messages. */
final class ModelInfos {
    private ModelInfos() {
    }

    static ModelInfo describe(Endpoint endpoint, ServerLimits limits) {
        ModelInfo.Builder info = ModelInfo.newBuilder()
                .setName(endpoint.name())
                .setEnsemble(endpoint.isEnsemble())
                .setLabelCount(endpoint.labelCount())
                .setLogitsOutput(endpoint.logitsOutput())
                .setAcceptsTexts(endpoint.acceptsTexts())
                .setDefaultCombine(endpoint.defaultCombine())
                .setMaxRequestExamples(limits.maxRequestExamples())
                .setVersion(endpoint.version());
        BatchingOptions batching = endpoint.members().get(0).batcher().options();
        info.setMaxBatch(batching.maxBatch());
        endpoint.members().forEach(m -> info.addMembers(m.name()));
        endpoint.inputs().values().forEach(s -> info.addInputs(spec(s)));
        endpoint.outputs().values().forEach(s -> info.addOutputs(spec(s)));
        return info.build();
    }

    private static org.distillery.proto.v1.TensorSpec spec(TensorSpec s) {
        org.distillery.proto.v1.TensorSpec.Builder b = org.distillery.proto.v1.TensorSpec.newBuilder()
                .setName(s.name()).setDtype(s.type().wire());
        for (int i = 0; i < s.rank(); i++) {
            b.addShape(s.shape()[i]).addDimNames(s.dimName(i));
        }
        return b.build();
    }
}
