package org.distillery.common.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the teachers are, as a user writes it: one {@code host:port}, a comma list {@code h1:p1,h2:p2,…} (one
 * channel over all of them), or any gRPC target with a scheme, e.g. {@code dns:///teachers.ns.svc.cluster.local:50051}
 * (resolved and re-resolved by gRPC). Lists become {@code static:///h1:p1,h2:p2} targets, resolved by
 * {@link StaticResolverProvider}.
 *
 * @param grpcTarget the target handed to the channel builder
 * @param endpoints  the listed endpoints ({@code host:port}); empty for a target with a scheme other than static
 * @param scheme     {@code static}, {@code dns} or another scheme the channel knows
 */
public record TeacherTarget(String grpcTarget, List<String> endpoints, String scheme) {
    /** What a target may look like, for error messages. */
    public static final String FORMS = "host:port, a comma list host:port,host:port,... or a gRPC target such as "
            + "dns:///teachers.example:50051";

    public TeacherTarget {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * Parses a user's target.
     *
     * @param option the option that gave it, named in errors
     * @throws IllegalArgumentException naming the option, the accepted forms and the bad part
     */
    public static TeacherTarget parse(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + " must be " + FORMS + "; got nothing");
        }
        String v = value.trim();
        int scheme = v.indexOf(':');
        if (v.contains(":///") || v.startsWith("dns:") || v.startsWith("unix:")) {
            String name = v.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (name.equals(StaticResolverProvider.SCHEME)) {
                return listed(option, v.substring(v.indexOf(":///") + 4), value);
            }
            return new TeacherTarget(v, List.of(), name);
        }
        return listed(option, v, value);
    }

    private static TeacherTarget listed(String option, String list, String original) {
        List<String> endpoints = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            String p = part.trim();
            HostPort hp = HostPort.parse(p);
            if (hp == null) {
                throw new IllegalArgumentException(option + " must be " + FORMS + "; '" + p + "' in '" + original
                        + "' is not host:port with a port from 1 to 65535");
            }
            endpoints.add(hp.toString());
        }
        if (endpoints.size() != endpoints.stream().distinct().count()) {
            throw new IllegalArgumentException(option + " lists an endpoint twice: '" + original + "'");
        }
        return new TeacherTarget(StaticResolverProvider.SCHEME + ":///" + String.join(",", endpoints), endpoints,
                StaticResolverProvider.SCHEME);
    }

    /** True for {@code dns:} targets, whose answers change over time. */
    public boolean dns() {
        return scheme.equals("dns");
    }

    /** The target as the user would recognise it. */
    @Override
    public String toString() {
        return scheme.equals(StaticResolverProvider.SCHEME) ? String.join(",", endpoints) : grpcTarget;
    }

    /** A host (name, IPv4 or bracketed IPv6) and a port. */
    record HostPort(String host, int port) {
        static HostPort parse(String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                return null;
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") != host.endsWith("]") || host.isBlank() || host.contains(" ")
                    || (host.contains(":") && !host.startsWith("["))) {
                return null;
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            return port < 1 || port > 65535 ? null : new HostPort(host, port);
        }

        /** The host without IPv6 brackets. */
        String bareHost() {
            return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
