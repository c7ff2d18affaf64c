package org.distillery.student.cache;

import org.distillery.common.ensemble.MemberSampler;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.DataType;
import org.distillery.student.client.TeacherOutputs;
import org.distillery.student.client.TeacherSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A teacher with the cache in front: each example of a batch is looked up; the ones missing are asked of the teacher
 * in one request (the batch's missing rows, padded to their own longest) and stored as they arrive. An ensemble's
 * sampled members are drawn here from the request's seed exactly as the server draws them, so an example is cached
 * per member set and a cached answer is the one the live run would have got; the server's {@code members_used} is
 * checked against the draw.
 */
public final class CachingTeacher implements TeacherSource {
    private final TeacherSource live;
    private final TeacherCache cache;
    private final CacheKeys keys;
    private final String model;
    private final List<String> members;
    private final DataType wireDtype;

    /**
     * @param members the model's members as {@code ModelInfo.members} lists them (the model itself when it is not an
     *                ensemble)
     */
    public CachingTeacher(TeacherSource live, TeacherCache cache, CacheKeys keys, String model, List<String> members,
                          DataType wireDtype) {
        this.live = live;
        this.cache = cache;
        this.keys = keys;
        this.model = model;
        this.members = List.copyOf(members);
        this.wireDtype = wireDtype;
        cache.register(keys, model);
    }

    @Override
    public CompletableFuture<TeacherOutputs> request(TokenIds tokens, int sampleMembers, long seed) {
        List<String> drawn = sampleMembers == 0 ? members : MemberSampler.sample(model, members, sampleMembers, seed);
        int n = tokens.batch();
        byte[][] rowKeys = new byte[n][];
        CachedRow[] rows = new CachedRow[n];
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            rowKeys[r] = keys.key(tokens, r, drawn, 0);
            rows[r] = cache.read(rowKeys[r]);
            if (rows[r] == null) {
                missing.add(r);
            }
        }
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(assemble(rows, n));
        }
        return live.request(rows(tokens, missing), sampleMembers, seed).thenApply(answer -> {
            if (!answer.members().equals(drawn)) {
                throw new IllegalStateException("the teacher ran members " + answer.members() + " where the cache "
                        + "drew " + drawn + " from the same seed; the cache cannot key this teacher's answers");
            }
            for (int i = 0; i < missing.size(); i++) {
                int r = missing.get(i);
                rows[r] = row(answer, i);
                cache.write(rowKeys[r], rows[r]);
            }
            return assemble(rows, n - missing.size());
        });
    }

    @Override
    public long timeoutSeconds() {
        return live.timeoutSeconds();
    }

    /** Row {@code i} of a live answer. */
    private CachedRow row(TeacherOutputs answer, int i) {
        int labels = answer.labels();
        Map<String, float[]> features = new LinkedHashMap<>();
        answer.features().forEach((name, values) -> {
            int width = answer.widths().get(name);
            features.put(name, Arrays.copyOfRange(values, i * width, (i + 1) * width));
        });
        return new CachedRow(wireDtype, Arrays.copyOfRange(answer.logits(), i * labels, (i + 1) * labels), features,
                answer.members());
    }

    private static TeacherOutputs assemble(CachedRow[] rows, int fromCache) {
        int labels = rows[0].logits().length;
        float[] logits = new float[rows.length * labels];
        Map<String, float[]> features = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        rows[0].features().forEach((name, v) -> {
            widths.put(name, v.length);
            features.put(name, new float[rows.length * v.length]);
        });
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].logits().length != labels || !rows[r].features().keySet().equals(widths.keySet())) {
                throw new IllegalStateException("cached answers of one batch disagree on their shape: "
                        + labels + " labels and " + widths + " against " + rows[r].logits().length + " and "
                        + rows[r].features().keySet());
            }
            System.arraycopy(rows[r].logits(), 0, logits, r * labels, labels);
            for (Map.Entry<String, float[]> f : rows[r].features().entrySet()) {
                int width = widths.get(f.getKey());
                if (f.getValue().length != width) {
                    throw new IllegalStateException("cached feature '" + f.getKey() + "' has width "
                            + f.getValue().length + " where the batch has " + width);
                }
                System.arraycopy(f.getValue(), 0, features.get(f.getKey()), r * width, width);
            }
        }
        return new TeacherOutputs(logits, labels, features, widths, rows[0].members(), fromCache);
    }

    /** The given rows of a batch, padded to their own longest. */
    static TokenIds rows(TokenIds tokens, List<Integer> which) {
        int length = 1;
        for (int r : which) {
            length = Math.max(length, CacheKeys.length(tokens, r));
        }
        int n = which.size();
        long[] ids = new long[n * length];
        long[] mask = new long[n * length];
        long[] types = new long[n * length];
        for (int i = 0; i < n; i++) {
            int from = which.get(i) * tokens.length();
            System.arraycopy(tokens.inputIds(), from, ids, i * length, length);
            System.arraycopy(tokens.attentionMask(), from, mask, i * length, length);
            System.arraycopy(tokens.tokenTypeIds(), from, types, i * length, length);
        }
        return new TokenIds(ids, mask, types, n, length);
    }
}
