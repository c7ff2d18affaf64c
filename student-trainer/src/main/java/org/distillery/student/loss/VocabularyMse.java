package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import org.distillery.student.model.Scalars;

/**
 * Mean squared error between the student's and the teacher's log-probabilities at the teacher distribution's
 * temperature, on the tokens the wire carried (DistilBERT's optional {@code alpha_mse} term, which compares logits;
 * log-probabilities are logits less each row's log-normaliser, the form the wire carries): every token when dense,
 * the K tokens for top-k, and weighted by the importance weights when sampled. Averaged over positions.
 */
public record VocabularyMse(float weight) implements LossTerm {
    @Override
    public String name() {
        return "mse";
    }

    @Override
    public TeacherNeeds needs() {
        return TeacherNeeds.LOGITS;
    }

    @Override
    public NDArray compute(StepData step) {
        VocabularyTarget target = step.teacher().vocabularyTarget();
        NDArray logQ = Scalars.mul(step.logits(), 1f / target.temperature()).logSoftmax(-1);
        NDArray logQk = target.indices() == null ? logQ : logQ.gather(target.indices(), 1);
        NDArray squared = logQk.sub(target.logProbs()).square();
        NDArray perPosition = target.weights() != null ? target.weights().mul(squared).sum(new int[]{-1})
                : squared.mean(new int[]{-1});
        return perPosition.mean();
    }
}
