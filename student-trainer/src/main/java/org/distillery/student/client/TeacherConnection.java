package org.distillery.student.client;

import io.grpc.ManagedChannel;
import org.distillery.common.fleet.TeacherTarget;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.TensorSpec;
import org.distillery.student.cache.CacheKeys;
import org.distillery.student.cache.CachingTeacher;
import org.distillery.student.cache.TeacherCache;
import org.distillery.student.loss.TeacherFacts;
import org.distillery.student.loss.TeacherHead;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.TeacherOptions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A teacher server as training sees it: a channel and the model's description, fetched once and checked against
 * the run before any training — the model exists, its label count matches the data, it has the outputs the
 * objective reads. Clients for the objective's needs are made from it.
 */
public final class TeacherConnection implements AutoCloseable {
    /** Largest answer accepted: a batch of features can be large. */
    public static final int MAX_MESSAGE_BYTES = 256 << 20;
    /**
     * How long a new client waits for a stream to every teacher (of a listed fleet; of a {@code dns:///} name, to
     * every ready one) before training starts anyway.
     */
    static final long FLEET_WAIT_MILLIS = 10_000;
    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final TeacherOptions options;
    private final ModelInfo info;
    private volatile TeacherLinkListener linkListener = TeacherLinkListener.NONE;

    private TeacherConnection(ManagedChannel channel, boolean ownsChannel, TeacherOptions options, ModelInfo info) {
        this.channel = channel;
        this.ownsChannel = ownsChannel;
        this.options = options;
        this.info = info;
    }

    /**
     * Connects to {@code options.target()} and fetches the model's description (UNAVAILABLE retried).
     *
     * @throws IllegalArgumentException saying what is wrong with the target or the teacher
     */
    public static TeacherConnection open(TeacherOptions options) {
        ManagedChannel channel = channel(options);
        try {
            return new TeacherConnection(channel, true, options, describe(channel, options));
        } catch (RuntimeException e) {
            channel.shutdownNow();
            throw e;
        }
    }

    /** Uses a channel the caller owns (and shuts down). */
    public static TeacherConnection over(ManagedChannel channel, TeacherOptions options) {
        return new TeacherConnection(channel, false, options, describe(channel, options));
    }

    private static ModelInfo describe(ManagedChannel channel, TeacherOptions options) {
        if (options.model() == null) {
            throw new IllegalArgumentException("--teacher needs --teacher-model NAME");
        }
        try {
            return TeacherClient.modelInfo(channel, options.model(), Math.min(10, options.timeoutSeconds()),
                    options.retries());
        } catch (RuntimeException e) {
            String hint = e instanceof TeacherException ? TeacherChannels.hint(options, (TeacherException) e) : "";
            throw new IllegalArgumentException("cannot use the teacher at " + options.target() + ": "
                    + e.getMessage() + hint, e);
        }
    }

    private static ManagedChannel channel(TeacherOptions options) {
        return TeacherChannels.open(TeacherTarget.parse("--teacher", options.target()), options, MAX_MESSAGE_BYTES);
    }

    /** The teacher's graph inputs. */
    public List<String> inputNames() {
        return info.getInputsList().stream().map(TensorSpec::getName).toList();
    }

    /**
     * What the objective needs to know of the teacher, checked against the run.
     *
     * @throws IllegalArgumentException when the label counts differ, a feature output is missing, or the head
     *                                  cannot be read
     */
    public TeacherFacts facts(ObjectiveOptions objective, TeacherOptions teacher, int labels) {
        if (info.getLabelCount() != 0 && info.getLabelCount() != labels) {
            throw new IllegalArgumentException("teacher '" + teacher.model() + "' has " + info.getLabelCount()
                    + " labels; the dataset has " + labels);
        }
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (TensorSpec output : info.getOutputsList()) {
            widths.put(output.getName(), (int) output.getShape(output.getShapeCount() - 1));
        }
        if (objective.usesFeatures() && !widths.containsKey(objective.teacherFeature())) {
            throw new IllegalArgumentException("teacher '" + teacher.model() + "' has no output '"
                    + objective.teacherFeature() + "' for the feature losses; its outputs are " + widths.keySet());
        }
        TeacherHead head = null;
        if (objective.softmaxRegressionWeight() > 0) {
            if (teacher.teacherOnnx() == null) {
                throw new IllegalArgumentException("--softmax-regression-weight needs --teacher-onnx PATH to read "
                        + "the teacher's classifier head from");
            }
            String[] names = teacher.headNames();
            head = TeacherHead.read(teacher.teacherOnnx(), names[0], names[1], labels);
        }
        return new TeacherFacts(widths, head);
    }

    /** Clients made from now on report their link's events to {@code listener} (e.g. metrics). */
    public TeacherConnection linkListener(TeacherLinkListener listener) {
        this.linkListener = listener;
        return this;
    }

    /**
     * A client whose requests ask for what {@code needs} says (the logits always, the features named), spread over
     * every teacher of the target.
     */
    public TeacherClient client(TeacherNeeds needs) {
        TeacherClient client = new TeacherClient(channel, new TeacherRequestSpec(options.model(), inputNames(),
                info.getLogitsOutput(), needs.features(), options.wireDtype().proto()), options.timeoutSeconds(),
                options.retries(), linkListener);
        try {
            TeacherTarget target = TeacherTarget.parse("--teacher", options.target());
            client.awaitFleet(FLEET_WAIT_MILLIS, target.dns() ? 0 : target.endpoints().size());
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to the teachers", e);
        }
        return client;
    }

    /**
     * {@code client} with the answers cached in {@code cache}, under this teacher's version and the client's request
     * spec.
     *
     * @throws IllegalArgumentException when the teacher reports no version (a server from before versions)
     */
    public CachingTeacher cached(TeacherClient client, TeacherCache cache) {
        CombineMode combine = info.getEnsemble() ? info.getDefaultCombine() : CombineMode.COMBINE_DEFAULT;
        CacheKeys keys;
        try {
            keys = new CacheKeys(info.getVersion(), client.spec(), combine, 0f, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--teacher-cache: teacher '" + options.model() + "': "
                    + e.getMessage(), e);
        }
        return new CachingTeacher(client, cache, keys, options.model(), info.getMembersList(),
                client.spec().wireDtype());
    }

    /** The teacher's description as the server gave it. */
    public ModelInfo info() {
        return info;
    }

    @Override
    public void close() throws InterruptedException {
        if (ownsChannel) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
