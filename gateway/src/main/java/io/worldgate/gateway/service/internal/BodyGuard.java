package io.worldgate.gateway.service.internal;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.worldgate.gateway.service.ApiLimits;
import java.io.InputStream;

/**
 * Sits in front of request parsing (on a service taken through
 * {@link io.grpc.ServerInterceptors#useInputStreamMessages}): a body larger than its method
 * allows gets RESOURCE_EXHAUSTED, a body that does not parse or a field beyond
 * {@link ApiLimits} gets INVALID_ARGUMENT. Left to gRPC, a parse failure escapes the call's
 * listener: the client sees UNKNOWN "Application error processing RPC" and the server logs a
 * stack trace for every bad request.
 */
final class BodyGuard implements ServerInterceptor {
    private final String largeMethod;
    private final int largeMethodMaxBytes;
    private final BadInputLog log = new BadInputLog();

    /** {@code largeMethod} (full name, or null for none) may carry up to {@code largeMethodMaxBytes}. */
    BodyGuard(String largeMethod, int largeMethodMaxBytes) {
        this.largeMethod = largeMethod;
        this.largeMethodMaxBytes = largeMethodMaxBytes;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        int maxBytes = method.equals(largeMethod) ? largeMethodMaxBytes : ApiLimits.MAX_REQUEST_BYTES;
        String shortName = call.getMethodDescriptor().getBareMethodName();
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;
            private InputStream message;

            @Override
            @SuppressWarnings("unchecked") // Q is InputStream on a service taken through useInputStreamMessages
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                this.message = message instanceof InputStream in ? in : null;
                try {
                    // Counted while parsed, not taken from available(): a compressed body's stream
                    // says nothing of its size until it is read.
                    super.onMessage(message instanceof InputStream in ? (Q) new LimitedBody(in, maxBytes) : message);
                    this.message = null;
                } catch (StatusRuntimeException e) {
                    refuse(tooLarge(e) ? tooLargeStatus() : Status.INVALID_ARGUMENT.withDescription(
                            "the request is not a valid " + shortName + " request: " + rootMessage(e)));
                } catch (LimitedBody.TooLarge e) {
                    refuse(tooLargeStatus());
                } catch (IllegalArgumentException e) {
                    refuse(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
                } catch (RuntimeException e) {
                    // Anything else thrown here is the protobuf parser's: the listener below only stores the request.
                    refuse(tooLarge(e) ? tooLargeStatus() : Status.INVALID_ARGUMENT.withDescription(
                            "the request is not a valid " + shortName + " request: " + rootMessage(e)));
                }
            }

            private Status tooLargeStatus() {
                return Status.RESOURCE_EXHAUSTED.withDescription(shortName + " takes at most " + maxBytes + " bytes");
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onReady() {
                if (!refused) {
                    super.onReady();
                }
            }

            private void refuse(Status status) {
                refused = true;
                if (message != null) {
                    try {
                        message.close(); // the rest of a refused body is not parsed: give its buffers back now
                    } catch (java.io.IOException ignored) {
                        // nothing to give back
                    }
                    message = null;
                }
                log.refused(shortName, status.getCode() + " " + status.getDescription());
                call.close(status, new Metadata());
            }
        };
    }

    /** Whether {@code e} or a cause is the body's own limit, or the transport's (RESOURCE_EXHAUSTED). */
    private static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LimitedBody.TooLarge
                    || t instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
