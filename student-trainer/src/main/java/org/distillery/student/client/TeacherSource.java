package org.distillery.student.client;

import org.distillery.common.text.TokenIds;

import java.util.concurrent.CompletableFuture;

/** Where a training run's teacher answers come from: the teacher fleet itself, or a cache in front of it. */
public interface TeacherSource {
    /**
     * The teacher's answer for one batch.
     *
     * @param sampleMembers ensemble members to sample (0 = all), drawn from {@code seed}
     */
    CompletableFuture<TeacherOutputs> request(TokenIds tokens, int sampleMembers, long seed);

    /** Seconds a caller should wait for one answer. */
    long timeoutSeconds();
}
