package org.distillery.student.demo;

import org.distillery.student.client.TeacherLinkListener;

import java.util.concurrent.atomic.AtomicLong;

/** Counts what crossed the link to the teacher server during one training run: requests and message bytes. */
final class LinkTally implements TeacherLinkListener {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong receivedBytes = new AtomicLong();

    @Override
    public void sent(String endpoint) {
        requests.incrementAndGet();
    }

    @Override
    public void sentBytes(long bytes) {
        sentBytes.addAndGet(bytes);
    }

    @Override
    public void receivedBytes(long bytes) {
        receivedBytes.addAndGet(bytes);
    }

    long requests() {
        return requests.get();
    }

    long sentBytes() {
        return sentBytes.get();
    }

    long receivedBytes() {
        return receivedBytes.get();
    }
}
