package org.distillery.teacher.soak;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak's InferStream calls: good requests in a stream; a bad request between two good ones (answered by a
 * response carrying the error, the stream going on); streams cancelled by the client or cut by a tiny deadline;
 * and abandoned streams that send past the server's window, never read, and are cancelled.
 */
final class StreamCalls {
    private static final AtomicLong IDS = new AtomicLong();

    private final TeacherServiceGrpc.TeacherServiceStub stub;
    private final TeacherServiceGrpc.TeacherServiceStub abandonedStub;
    private final SoakRequests requests;
    private final References references;
    private final Tally tally;
    private final int window;

    /** A request to send: its kind and its good-pool index (-1 for a bad one). */
    private record Planned(Kind kind, int good, InferRequest request) {
    }

    /** A request sent on a stream, with its id and send time. */
    private record Item(Kind kind, int good, String id, long sentAt) {
    }

    StreamCalls(ManagedChannel channel, ManagedChannel abandonedChannel, SoakRequests requests,
                References references, Tally tally, int window) {
        this.stub = TeacherServiceGrpc.newStub(channel);
        this.abandonedStub = TeacherServiceGrpc.newStub(abandonedChannel);
        this.requests = requests;
        this.references = references;
        this.tally = tally;
        this.window = window;
    }

    void run(Kind kind, SplittableRandom random) throws InterruptedException {
        List<Planned> plan = new ArrayList<>();
        switch (kind) {
            case GOOD:
                for (int i = 1 + random.nextInt(6); i > 0; i--) {
                    plan.add(good(random));
                }
                stream(Kind.GOOD, plan, null, null);
                break;
            case CANCELLED:
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    plan.add(good(random));
                }
                stream(kind, plan, null, random.nextLong(3_000_000));
                break;
            case DEADLINE:
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    plan.add(good(random));
                }
                stream(kind, plan, 200_000 + random.nextLong(4_800_000), null);
                break;
            case ABANDONED_STREAM:
                abandoned(random);
                break;
            default:
                plan.add(good(random));
                plan.add(new Planned(kind, -1, requests.bad(kind, random, false)));
                plan.add(good(random));
                stream(Kind.GOOD, plan, null, null);
        }
    }

    private Planned good(SplittableRandom random) {
        int index = random.nextInt(requests.good().size());
        return new Planned(Kind.GOOD, index, requests.good().get(index));
    }

    /**
     * Sends the planned requests on one stream, then half-closes (or cancels after {@code cancelAfterNanos}), and
     * records each request's outcome; for a cancelled or deadline stream, the stream's own outcome.
     */
    private void stream(Kind callKind, List<Planned> plan, Long deadlineNanos, Long cancelAfterNanos)
            throws InterruptedException {
        StreamCall call = new StreamCall(true);
        (deadlineNanos == null ? stub : stub.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)).inferStream(call);
        List<Item> items = new ArrayList<>();
        for (Planned p : plan) {
            String id = "soak-" + IDS.incrementAndGet();
            items.add(new Item(p.kind(), p.good(), id, System.nanoTime()));
            call.send(p.request().toBuilder().setRequestId(id).build());
        }
        if (cancelAfterNanos != null) {
            LockSupport.parkNanos(cancelAfterNanos);
            call.cancel("soak: cancelled by the client");
        } else {
            call.halfClose();
        }
        if (!call.await(UnaryCalls.HUNG_SECONDS)) {
            call.cancel("soak: hung");
            tally.record(callKind, false, Outcome.HUNG, "stream of " + items.size() + " requests");
            return;
        }
        Status end = call.end();
        if (callKind == Kind.GOOD) {
            perRequest(items, call, end);
            return;
        }
        boolean missing = false;
        for (Item item : items) {
            InferResponse response = call.response(item.id());
            if (response == null) {
                missing = true;
            } else {
                tally.checked(callKind, false, references.mismatch(item.good(), response));
            }
        }
        if (end.isOk() && missing) {
            tally.record(callKind, false, Outcome.NO_ANSWER, "stream completed without answering every request");
        } else {
            tally.record(callKind, false, Outcome.of(end.getCode()), end.getDescription());
        }
    }

    /**
     * Each request of a stream that should have answered them all: good ones checked, bad ones by the error their
     * response carries. A stream that ends with a status is unexpected: charged to its bad request if it had one
     * ({@code STREAM_ENDED_…}), else to the good ones.
     */
    private void perRequest(List<Item> items, StreamCall call, Status end) {
        Kind bad = Kind.GOOD;
        for (Item item : items) {
            InferResponse response = call.response(item.id());
            if (item.good() < 0) {
                bad = item.kind();
            }
            if (response == null) {
                if (end.isOk()) {
                    tally.record(item.kind(), false, Outcome.NO_ANSWER, "stream completed without answering "
                            + item.id());
                }
            } else if (item.good() < 0) {
                tally.record(item.kind(), false, response.hasError()
                        ? Outcome.of(Status.fromCodeValue(response.getError().getCode()).getCode()) : Outcome.OK,
                        response.hasError() ? response.getError().getMessage() : "the server answered a bad request");
            } else {
                String mismatch = references.mismatch(item.good(), response);
                tally.checked(Kind.GOOD, false, mismatch);
                tally.record(Kind.GOOD, false, Outcome.OK, null);
                if (mismatch == null) {
                    tally.goodLatency(false, call.arrival(item.id()) - item.sentAt());
                }
            }
        }
        if (!end.isOk()) {
            tally.record(bad, false, bad == Kind.GOOD ? Outcome.of(end.getCode()) : Outcome.streamEnded(end.getCode()),
                    end.getDescription());
        }
    }

    /** Sends past the window with every output asked for, never reads, waits 50–300 ms and cancels. */
    private void abandoned(SplittableRandom random) throws InterruptedException {
        StreamCall call = new StreamCall(false);
        abandonedStub.inferStream(call);
        InferRequest request = requests.largest();
        for (int i = 0; i < window + 16; i++) {
            call.send(request.toBuilder().setRequestId("abandoned-" + IDS.incrementAndGet()).build());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(250)));
        call.cancel("soak: abandoned by the client");
        if (!call.await(UnaryCalls.HUNG_SECONDS)) {
            tally.record(Kind.ABANDONED_STREAM, false, Outcome.HUNG, null);
            return;
        }
        tally.record(Kind.ABANDONED_STREAM, false, Outcome.of(call.end().getCode()), call.end().getDescription());
    }
}
