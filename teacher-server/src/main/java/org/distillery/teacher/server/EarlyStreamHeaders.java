package org.distillery.teacher.server;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Sends a stream's response headers as soon as the stream opens, not with its first answer. A client learns from
 * the headers which endpoint its stream reached (the transport's remote address is known once headers arrive), so a
 * fleet client can tell within one round trip whether a new stream went to a teacher it already streams to. Unary
 * calls are left as they are.
 */
final class EarlyStreamHeaders implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.BIDI_STREAMING) {
            return next.startCall(call, headers);
        }
        ServerCall<Q, R> once = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean sent;

            @Override
            public synchronized void sendHeaders(Metadata metadata) {
                if (!sent) {
                    sent = true;
                    super.sendHeaders(metadata);
                }
            }
        };
        once.sendHeaders(new Metadata());
        return next.startCall(once, headers);
    }
}
