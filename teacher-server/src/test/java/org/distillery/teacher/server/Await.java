package org.distillery.teacher.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Waiting in tests on an observable condition, always with a deadline, instead of sleeping a guessed time. */
final class Await {
    private static final long POLL_MILLIS = 5;

    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test naming {@code what} when it does not within the time. */
    static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Returns the value of {@code counter} once it has stayed the same for {@code quiet}: for checking that
     * something stops happening. Fails the test when the counter still moves after {@code timeout}.
     */
    static long settled(String what, Duration quiet, Duration timeout, LongSupplier counter)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long value = counter.getAsLong();
        long since = System.nanoTime();
        while (System.nanoTime() - since < quiet.toNanos()) {
            if (System.nanoTime() - deadline > 0) {
                fail(what + " still changing after " + timeout.toMillis() + " ms (last " + value + ")");
            }
            Thread.sleep(POLL_MILLIS);
            long now = counter.getAsLong();
            if (now != value) {
                value = now;
                since = System.nanoTime();
            }
        }
        return value;
    }
}
