package org.distillery.student.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.distillery.common.text.TokenIds;
import org.distillery.student.client.TeacherOutputs;
import org.distillery.student.client.TeacherSource;
import org.distillery.student.eval.OnnxLogits;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The usual notebook's arrangement, for comparison: the teacher as an ONNX Runtime session inside the trainer's JVM,
 * run on the calling thread when a batch is asked for, on the same cores as the student. Nothing overlaps: the
 * teacher's forward pass and the student's step take turns.
 */
public final class ColocatedTeacher implements TeacherSource, AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final int labels;

    /** @param threads ONNX Runtime intra-op threads (the student's count, for a like-for-like arrangement) */
    public ColocatedTeacher(Path onnx, int labels, int threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(onnx.toString(), options);
        }
        this.labels = labels;
    }

    @Override
    public CompletableFuture<TeacherOutputs> request(TokenIds tokens, int sampleMembers, long seed) {
        try {
            return CompletableFuture.completedFuture(new TeacherOutputs(OnnxLogits.run(session, env, tokens), labels,
                    Map.of(), Map.of(), List.of("colocated")));
        } catch (OrtException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long timeoutSeconds() {
        return 600;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
