package org.distillery.common.fleet;

/**
 * Short name caching, so that a {@code dns:///} fleet target follows the DNS answers within seconds: teachers that
 * join a headless Service are found when connections rotate. gRPC's DNS resolver refreshes at most every
 * {@code networkaddress.cache.ttl} seconds (30 without it) and the JDK caches answers for
 * {@code sun.net.inetaddr.ttl} seconds (30 without it). Both are read once, at the first lookup: call this first
 * thing in {@code main}. Values the user set (e.g. in {@code JAVA_OPTS}) are kept.
 */
public final class DnsCaching {
    /** Seconds names are cached unless the user said otherwise. */
    public static final String SECONDS = "5";

    private DnsCaching() {
    }

    /** Sets both cache lifetimes to {@link #SECONDS} where they are not set. */
    public static void shorten() {
        for (String property : new String[]{"networkaddress.cache.ttl", "sun.net.inetaddr.ttl"}) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, SECONDS);
            }
        }
    }
}
