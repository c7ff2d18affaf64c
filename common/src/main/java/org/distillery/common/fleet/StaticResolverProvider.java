package org.distillery.common.fleet;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusOr;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Resolves {@code static:///h1:p1,h2:p2,…} to those endpoints, one address group each, so that one channel with
 * {@code round_robin} spreads calls over a fixed list of teachers. Host names are looked up on every refresh (gRPC
 * refreshes when a connection drops); a name that does not resolve is left out while the others are used, and
 * the whole resolution fails only when none resolves. gRPC ships no such resolver.
 */
public final class StaticResolverProvider extends NameResolverProvider {
    /** The target scheme. */
    public static final String SCHEME = "static";
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    /** Registers the provider with gRPC's default registry, once per JVM. */
    public static void register() {
        if (REGISTERED.compareAndSet(false, true)) {
            NameResolverRegistry.getDefaultRegistry().register(new StaticResolverProvider());
        }
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }

    @Override
    public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
        if (!SCHEME.equals(targetUri.getScheme())) {
            return null;
        }
        String path = targetUri.getPath();
        List<TeacherTarget.HostPort> endpoints = new ArrayList<>();
        for (String part : (path.startsWith("/") ? path.substring(1) : path).split(",")) {
            TeacherTarget.HostPort hp = TeacherTarget.HostPort.parse(part.trim());
            if (hp == null) {
                throw new IllegalArgumentException("static target " + targetUri + ": '" + part
                        + "' is not host:port");
            }
            endpoints.add(hp);
        }
        return new Resolver(endpoints);
    }

    /** Resolves the list on start and on every refresh. */
    private static final class Resolver extends NameResolver {
        private final List<TeacherTarget.HostPort> endpoints;
        private Listener2 listener;

        Resolver(List<TeacherTarget.HostPort> endpoints) {
            this.endpoints = endpoints;
        }

        @Override
        public String getServiceAuthority() {
            // TLS checks every teacher's certificate against this one name: the first listed host
            return endpoints.get(0).host();
        }

        @Override
        public void start(Listener2 listener) {
            this.listener = listener;
            resolve();
        }

        @Override
        public void refresh() {
            resolve();
        }

        private void resolve() {
            List<EquivalentAddressGroup> groups = new ArrayList<>();
            List<String> unresolved = new ArrayList<>();
            for (TeacherTarget.HostPort hp : endpoints) {
                InetSocketAddress address = new InetSocketAddress(hp.bareHost(), hp.port());
                if (address.isUnresolved()) {
                    unresolved.add(hp.toString());
                } else {
                    groups.add(new EquivalentAddressGroup(address));
                }
            }
            if (groups.isEmpty()) {
                listener.onError(Status.UNAVAILABLE.withDescription("no teacher host resolves: " + unresolved));
                return;
            }
            listener.onResult2(ResolutionResult.newBuilder()
                    .setAddressesOrError(StatusOr.fromValue(groups)).build());
        }

        @Override
        public void shutdown() {
        }
    }
}
