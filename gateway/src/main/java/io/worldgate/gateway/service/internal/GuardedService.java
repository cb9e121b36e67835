package io.worldgate.gateway.service.internal;

import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.worldgate.gateway.service.ApiLimits;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.proto.service.v1.GatewayGrpc;
import java.util.Set;

/**
 * The gateway's gRPC service with its guards, outermost first: plugin installs refused unless
 * allowed, body size and parsing ({@link BodyGuard}), field bounds ({@link FieldBounds}).
 */
public final class GuardedService {
    private GuardedService() {}

    /** The largest request body the transport must accept for this service. */
    public static int maxInboundBytes(boolean allowPluginInstall) {
        return allowPluginInstall ? ApiLimits.MAX_PLUGIN_BYTES : ApiLimits.MAX_REQUEST_BYTES;
    }

    public static ServerServiceDefinition of(Gateway gateway, boolean allowPluginInstall) {
        ServerServiceDefinition typed = ServerInterceptors.intercept(new GatewayGrpcService(gateway), new BoundsCheck());
        BodyGuard body = new BodyGuard(GatewayGrpc.getInstallPluginMethod().getFullMethodName(),
                allowPluginInstall ? ApiLimits.MAX_PLUGIN_BYTES : ApiLimits.MAX_REQUEST_BYTES);
        ServerServiceDefinition guarded = ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(typed), body);
        return allowPluginInstall ? guarded : ServerInterceptors.intercept(guarded, new InstallRefused());
    }

    /** Applies {@link FieldBounds} to each parsed request. */
    private static final class BoundsCheck implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                @Override
                public void onMessage(Q message) {
                    if (message instanceof Message m) {
                        FieldBounds.check(m);
                    }
                    super.onMessage(message);
                }
            };
        }
    }

    /** Refuses InstallPlugin and UninstallPlugin before reading their bodies. */
    private static final class InstallRefused implements ServerInterceptor {
        private static final Set<String> GUARDED = Set.of(GatewayGrpc.getInstallPluginMethod().getFullMethodName(),
                GatewayGrpc.getUninstallPluginMethod().getFullMethodName());

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (!GUARDED.contains(call.getMethodDescriptor().getFullMethodName())) {
                return next.startCall(call, headers);
            }
            call.close(Status.PERMISSION_DENIED.withDescription("this gateway does not install or remove plugins over its API;"
                    + " start it with 'worldgate serve --allow-plugin-install', or copy jars into its deploy directory"),
                    new Metadata());
            return new ServerCall.Listener<>() {};
        }
    }
}
