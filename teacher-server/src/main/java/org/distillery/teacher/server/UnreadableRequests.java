package org.distillery.teacher.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import org.distillery.proto.v1.TeacherServiceGrpc;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Requests that are not valid protobuf get INVALID_ARGUMENT with the parser's reason. gRPC parses a message before
 * the service sees it and answers a parse failure with UNKNOWN ("Application error processing RPC"); so the service
 * is bound to raw bytes, the bytes are parsed inside this interceptor, and a failure closes the call with a status
 * that says what was wrong. On a stream, an unreadable message ends the stream: it has no request id to answer.
 * An unreadable Infer or InferStream request is counted as INVALID_ARGUMENT for an unknown model.
 */
final class UnreadableRequests implements ServerInterceptor {
    private static final Set<String> COUNTED = Set.of(TeacherServiceGrpc.getInferMethod().getFullMethodName(),
            TeacherServiceGrpc.getInferStreamMethod().getFullMethodName());
    private final RequestCounter counter;

    private UnreadableRequests(RequestCounter counter) {
        this.counter = counter;
    }

    /** The service, taking raw bytes and parsing them where a failure can be answered properly. */
    static ServerServiceDefinition wrap(ServerServiceDefinition service, RequestCounter counter) {
        return ServerInterceptors.intercept(ServerInterceptors.useMarshalledMessages(service, RawBytes.INSTANCE),
                new UnreadableRequests(counter));
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        OnceClosed<Q, R> guarded = new OnceClosed<>(call);
        ServerCall.Listener<Q> delegate = next.startCall(guarded, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    String reason = unparseable(e);
                    if (reason == null) {
                        throw e;
                    }
                    refused = true;
                    if (COUNTED.contains(call.getMethodDescriptor().getFullMethodName())) {
                        counter.countUnreadable();
                    }
                    guarded.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
                            + call.getMethodDescriptor().getFullMethodName() + " message: " + reason), new Metadata());
                }
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The parser's reason when {@code e} is a protobuf parse failure, else null. */
    private static String unparseable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidProtocolBufferException) {
                return t.getMessage();
            }
        }
        return null;
    }

    /** A call that is closed at most once: the service may try to answer a call this interceptor already closed. */
    private static final class OnceClosed<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean closed;

        OnceClosed(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                super.close(status, trailers);
            }
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }
    }

    /** Messages as the bytes on the wire. */
    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
