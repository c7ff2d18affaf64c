package org.distillery.teacher.server;

import io.grpc.stub.StreamObserver;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A response observer for tests: keeps every message, the failure if any, and whether the call ended. */
final class Collector<T> implements StreamObserver<T> {
    private final List<T> received = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch done = new CountDownLatch(1);

    @Override
    public synchronized void onNext(T message) {
        received.add(message);
    }

    @Override
    public void onError(Throwable t) {
        failure.set(t);
        done.countDown();
    }

    @Override
    public void onCompleted() {
        done.countDown();
    }

    /** Waits for the call to end (completed or failed); false when it did not within the time. */
    boolean await(long seconds) throws InterruptedException {
        return done.await(seconds, TimeUnit.SECONDS);
    }

    /** The messages so far, in arrival order. */
    synchronized List<T> received() {
        return new ArrayList<>(received);
    }

    /** The last message so far. */
    synchronized T last() {
        return received.get(received.size() - 1);
    }

    /** The error the call ended with, or null. */
    Throwable failure() {
        return failure.get();
    }
}
