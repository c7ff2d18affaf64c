package org.distillery.student.report;

/**
 * What one distilled student's training asked of the teacher server.
 *
 * @param student            the student's name in the table
 * @param seed               its seed
 * @param requests           requests sent to the teacher server (batches the cache could not answer whole)
 * @param examples           examples whose teacher answers training used
 * @param cacheHits          of those, examples answered from the teacher-output cache
 * @param bytesSent          request message bytes sent (resends included)
 * @param bytesReceived      answer message bytes received
 * @param teacherWaitSeconds time the training loop waited for teacher answers
 * @param trainSeconds       the run's wall time (validation included)
 */
public record LinkRow(String student, long seed, long requests, long examples, long cacheHits, long bytesSent,
                      long bytesReceived, double teacherWaitSeconds, double trainSeconds) {
    /** Share of the examples answered from the cache. */
    public double cacheHitRate() {
        return examples == 0 ? 0 : cacheHits / (double) examples;
    }
}
