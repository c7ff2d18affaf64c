package org.distillery.student.train;

/** Linear warmup from 0 to the peak, then linear decay to 0 at the last step. */
public record LinearSchedule(float peak, int warmupSteps, int totalSteps) {
    /** Learning rate for a 0-based step. */
    public float at(int step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        return peak * Math.max(0f, (float) (totalSteps - step) / decaySteps);
    }
}
