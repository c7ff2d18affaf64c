package org.distillery.teacher.soak;

import io.grpc.ManagedChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The client threads: each picks a kind from the weighted mix, a transport, and runs one call at a time until the
 * end. Channels are shared by a few clients each; abandoned streams use their own channel with a small HTTP/2
 * receive window, so that the server really finds a client that does not read.
 */
final class SoakClients {
    private static final int ABANDONED_FLOW_WINDOW = 64 << 10;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Tally tally;
    private volatile boolean stopping;

    SoakClients(ServerProcess server, SoakConfig config, SoakRequests requests, References references, Tally tally,
                long endNanos) {
        this.tally = tally;
        ManagedChannel abandoned = server.channel(ABANDONED_FLOW_WINDOW);
        channels.add(abandoned);
        List<Kind> mix = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            if (!config.skip().contains(kind)) {
                for (int i = 0; i < kind.weight(); i++) {
                    mix.add(kind);
                }
            }
        }
        SplittableRandom seeds = new SplittableRandom(config.seed());
        ManagedChannel channel = null;
        for (int c = 0; c < config.clients(); c++) {
            if (c % 4 == 0) {
                channel = server.channel(0);
                channels.add(channel);
            }
            UnaryCalls unary = new UnaryCalls(channel, requests, references, tally);
            StreamCalls streams = new StreamCalls(channel, abandoned, requests, references, tally,
                    config.server().streamWindow());
            SplittableRandom random = seeds.split();
            Thread t = new Thread(() -> loop(mix, unary, streams, random, endNanos), "soak-client-" + c);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    private void loop(List<Kind> mix, UnaryCalls unary, StreamCalls streams, SplittableRandom random, long end) {
        while (!stopping && System.nanoTime() < end) {
            Kind kind = mix.get(random.nextInt(mix.size()));
            boolean onUnary = kind == Kind.GOOD ? random.nextInt(3) < 2
                    : kind != Kind.ABANDONED_STREAM && random.nextBoolean();
            try {
                if (onUnary) {
                    unary.run(kind, random);
                } else {
                    streams.run(kind, random);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                tally.record(kind, onUnary, new Outcome("CLIENT_EXCEPTION", null), e.toString());
            }
        }
    }

    /** Asks the clients to stop after their current call and waits for them (a hung call ends by its deadline). */
    void stop() throws InterruptedException {
        stopping = true;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(UnaryCalls.HUNG_SECONDS + 10);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
        }
        for (ManagedChannel c : channels) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels) {
            c.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
