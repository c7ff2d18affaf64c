package org.distillery.teacher.soak;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/** The soak's unary Infer calls of each kind; each records its outcome in the tally. */
final class UnaryCalls {
    /** Deadline of calls that should finish: past it the call counts as hung. */
    static final long HUNG_SECONDS = 60;

    private final TeacherServiceGrpc.TeacherServiceBlockingStub blocking;
    private final TeacherServiceGrpc.TeacherServiceFutureStub future;
    private final SoakRequests requests;
    private final References references;
    private final Tally tally;

    UnaryCalls(ManagedChannel channel, SoakRequests requests, References references, Tally tally) {
        this.blocking = TeacherServiceGrpc.newBlockingStub(channel);
        this.future = TeacherServiceGrpc.newFutureStub(channel);
        this.requests = requests;
        this.references = references;
        this.tally = tally;
    }

    void run(Kind kind, SplittableRandom random) {
        switch (kind) {
            case GOOD:
                good(random.nextInt(requests.good().size()));
                break;
            case CANCELLED:
                cancelled(random);
                break;
            case DEADLINE:
                deadline(random);
                break;
            default:
                bad(kind, requests.bad(kind, random, true));
        }
    }

    private void good(int index) {
        long start = System.nanoTime();
        InferResponse response;
        try {
            response = blocking.withDeadlineAfter(HUNG_SECONDS, TimeUnit.SECONDS).infer(requests.good().get(index));
        } catch (StatusRuntimeException e) {
            tally.record(Kind.GOOD, true, Outcome.of(e.getStatus().getCode()), e.getStatus().getDescription());
            return;
        }
        long nanos = System.nanoTime() - start;
        answered(Kind.GOOD, index, response, nanos);
    }

    private void answered(Kind kind, int index, InferResponse response, long nanos) {
        String mismatch = references.mismatch(index, response);
        tally.checked(kind, true, mismatch);
        tally.record(kind, true, Outcome.OK, null);
        if (kind == Kind.GOOD && mismatch == null) {
            tally.goodLatency(true, nanos);
        }
    }

    private void bad(Kind kind, InferRequest request) {
        try {
            blocking.withDeadlineAfter(HUNG_SECONDS, TimeUnit.SECONDS).infer(request);
            tally.record(kind, true, Outcome.OK, "the server answered a bad request");
        } catch (StatusRuntimeException e) {
            tally.record(kind, true, Outcome.of(e.getStatus().getCode()), e.getStatus().getDescription());
        }
    }

    /** Cancelled by the client after 0–3 ms; a call that finished first must be a right answer. */
    private void cancelled(SplittableRandom random) {
        int index = random.nextInt(requests.good().size());
        ListenableFuture<InferResponse> call = future.withDeadlineAfter(HUNG_SECONDS, TimeUnit.SECONDS)
                .infer(requests.good().get(index));
        LockSupport.parkNanos(random.nextLong(3_000_000));
        if (call.cancel(true)) {
            tally.record(Kind.CANCELLED, true, Outcome.of(Status.Code.CANCELLED), null);
            return;
        }
        try {
            answered(Kind.CANCELLED, index, call.get(HUNG_SECONDS, TimeUnit.SECONDS), 0);
        } catch (ExecutionException e) {
            Status status = Status.fromThrowable(e.getCause());
            tally.record(Kind.CANCELLED, true, Outcome.of(status.getCode()), status.getDescription());
        } catch (TimeoutException e) {
            tally.record(Kind.CANCELLED, true, Outcome.HUNG, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A deadline of 0.2–5 ms: DEADLINE_EXCEEDED, or a right answer when the server was fast enough. */
    private void deadline(SplittableRandom random) {
        int index = random.nextInt(requests.good().size());
        try {
            InferResponse response = blocking.withDeadlineAfter(200_000 + random.nextLong(4_800_000),
                    TimeUnit.NANOSECONDS).infer(requests.good().get(index));
            answered(Kind.DEADLINE, index, response, 0);
        } catch (StatusRuntimeException e) {
            tally.record(Kind.DEADLINE, true, Outcome.of(e.getStatus().getCode()), e.getStatus().getDescription());
        }
    }
}
