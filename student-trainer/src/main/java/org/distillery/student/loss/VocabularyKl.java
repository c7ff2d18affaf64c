package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import org.distillery.student.model.Scalars;

/**
 * KL(teacher ‖ student) over the vocabulary at the masked positions, at the teacher distribution's temperature T,
 * scaled by T² (DistilBERT's {@code alpha_ce} term), averaged over positions. The student's distribution is
 * {@code softmax(logits / T)} over the whole vocabulary; how the teacher's reads depends on what the wire carried:
 * <ul>
 * <li>dense: the exact KL;</li>
 * <li>top-k: the KL between both distributions coarsened to the K teacher tokens plus one bucket for the rest of
 * the vocabulary, {@code Σ_k p_k log(p_k/q_k) + P_rest log(P_rest/Q_rest)}; its gradient on the K tokens is the
 * exact one, and it is never above the exact KL (the error is the teacher's tail);</li>
 * <li>sampled, or top-k with a sampled tail: {@code Σ_k w_k (log p_k − log q_k)}, an unbiased estimate of the KL
 * and of its gradient (exact on the head when the head is sent whole).</li>
 * </ul>
 * Student logits {@code [N, vocab]} come as the step's logits.
 */
public record VocabularyKl(float weight) implements LossTerm {
    /** Smallest rest-of-vocabulary mass the student is given credit for, to keep the logarithm finite. */
    static final float MIN_REST = 1e-7f;

    @Override
    public String name() {
        return "ce";
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.LOGITS;
    }

    @Override
    public NDArray compute(StepData step) {
        return kl(step.logits(), step.teacher().vocabularyTarget());
    }

    /** The term's value for student logits {@code [N, vocab]} against {@code target}. */
    public static NDArray kl(NDArray studentLogits, VocabularyTarget target) {
        float t = target.temperature();
        NDArray logQ = Scalars.mul(studentLogits, 1f / t).logSoftmax(-1);
        NDArray logP = target.logProbs();
        NDArray perPosition;
        switch (target.support()) {
            case DENSE -> perPosition = logP.exp().mul(logP.sub(logQ)).sum(new int[]{-1});
            case SAMPLE, TOP_K_SAMPLED_TAIL -> {
                NDArray logQk = logQ.gather(target.indices(), 1);
                perPosition = target.weights().mul(logP.sub(logQk)).sum(new int[]{-1});
            }
            default -> {
                NDArray logQk = logQ.gather(target.indices(), 1);
                NDArray p = logP.exp();
                NDArray head = p.mul(logP.sub(logQk)).sum(new int[]{-1});
                NDArray pSum = p.sum(new int[]{-1});
                NDArray pRest = Scalars.atLeast(Scalars.of(pSum, 1).sub(pSum), 0);
                NDArray qSum = logQk.exp().sum(new int[]{-1});
                NDArray qRest = Scalars.atLeast(Scalars.of(qSum, 1).sub(qSum), MIN_REST);
                // 0 log 0 = 0: where the teacher has no rest, the bucket adds nothing
                NDArray rest = pRest.mul(Scalars.atLeast(pRest, MIN_REST).log().sub(qRest.log()));
                perPosition = head.add(rest);
            }
        }
        return Scalars.mul(perPosition.mean(), t * t);
    }
}
