package org.distillery.student.options;

import org.distillery.common.fleet.TeacherTarget;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The link to a teacher server.
 *
 * @param target            the teacher server or fleet: {@code host:port}, a comma list of them, or a gRPC target
 *                          ({@link TeacherTarget})
 * @param model             model or ensemble on the server
 * @param timeoutSeconds    longest wait for one answer
 * @param retries           resends of one request whose stream ended, before it fails
 * @param wireDtype         number format of teacher outputs on the wire
 * @param prefetch          teacher batches in flight ahead of the step being trained
 * @param nTeachersToSample ensemble members asked per step (0: all)
 * @param teacherOnnx       the teacher's ONNX file, read for its classifier head (softmax regression), or null
 * @param teacherHead       initializer names of the head's weight and bias
 * @param tlsCa             CA certificates (PEM) the teacher's certificate must be signed by; TLS when set, or null
 * @param tlsCert           client certificate (PEM) for mTLS; TLS when set, or null
 * @param tlsKey            the client certificate's PKCS#8 key (PEM), or null
 * @param tokenFile         file whose trimmed content is sent as {@code authorization: Bearer <token>}, or null
 * @param cacheDir          the teacher-output cache ({@code --teacher-cache}), or null for none
 */
public record TeacherOptions(String target, String model, long timeoutSeconds, int retries, WireDtype wireDtype,
                             int prefetch, int nTeachersToSample, Path teacherOnnx, String teacherHead,
                             Path tlsCa, Path tlsCert, Path tlsKey, Path tokenFile, Path cacheDir) {
    /** No target; fp16 on the wire, 4 batches in flight, 60 s per answer, 5 retries, all members; plaintext. */
    public static final TeacherOptions DEFAULTS = new TeacherOptions(null, null, 60, 5, WireDtype.FP16, 4, 0, null,
            "classifier.weight,classifier.bias", null, null, null, null, null);

    public TeacherOptions {
        Checks.atLeast("--teacher-timeout-s", 1, timeoutSeconds);
        Checks.atLeast("--teacher-retries", 0, retries);
        Checks.atLeast("prefetch", 0, prefetch);
        Checks.atLeast("n_teachers_to_sample (0 = all)", 0, nTeachersToSample);
        if (wireDtype == null) {
            throw new IllegalArgumentException("--wire-dtype must be fp16, bf16 or fp32, got none");
        }
        if (target != null) {
            TeacherTarget.parse("--teacher", target);
        }
        if (target != null && (model == null || model.isBlank())) {
            throw new IllegalArgumentException("--teacher needs --teacher-model NAME");
        }
        if (tlsCert != null && tlsKey == null) {
            throw new IllegalArgumentException("--teacher-tls-cert needs --teacher-tls-key KEY.pem (the certificate's "
                    + "PKCS#8 key)");
        }
        if (tlsKey != null && tlsCert == null) {
            throw new IllegalArgumentException("--teacher-tls-key needs --teacher-tls-cert CERT.pem (the client "
                    + "certificate of that key)");
        }
    }

    /** The defaults with a server and model. */
    public static TeacherOptions of(String target, String model) {
        return DEFAULTS.at(target, model);
    }

    public TeacherOptions at(String newTarget, String newModel) {
        return new TeacherOptions(newTarget, newModel, timeoutSeconds, retries, wireDtype, prefetch,
                nTeachersToSample, teacherOnnx, teacherHead, tlsCa, tlsCert, tlsKey, tokenFile, cacheDir);
    }

    public TeacherOptions withPrefetch(int value) {
        return new TeacherOptions(target, model, timeoutSeconds, retries, wireDtype, value, nTeachersToSample,
                teacherOnnx, teacherHead, tlsCa, tlsCert, tlsKey, tokenFile, cacheDir);
    }

    /** The same link asking {@code members} ensemble members per step (0: all). */
    public TeacherOptions withSampling(int members) {
        return new TeacherOptions(target, model, timeoutSeconds, retries, wireDtype, prefetch, members,
                teacherOnnx, teacherHead, tlsCa, tlsCert, tlsKey, tokenFile, cacheDir);
    }

    /** The same link with answers cached in {@code dir} (null: no cache). */
    public TeacherOptions withCache(Path dir) {
        return new TeacherOptions(target, model, timeoutSeconds, retries, wireDtype, prefetch, nTeachersToSample,
                teacherOnnx, teacherHead, tlsCa, tlsCert, tlsKey, tokenFile, dir);
    }

    /** True when the link to the teacher uses TLS (a CA or a client certificate is given). */
    public boolean tls() {
        return tlsCa != null || tlsCert != null;
    }

    /** The two initializer names of {@link #teacherHead}. */
    public String[] headNames() {
        String[] names = teacherHead.split(",");
        if (names.length != 2 || names[0].isBlank() || names[1].isBlank()) {
            throw new IllegalArgumentException("--teacher-head expects WEIGHT_NAME,BIAS_NAME, got '" + teacherHead
                    + "'");
        }
        return new String[]{names[0].trim(), names[1].trim()};
    }

    /**
     * The settings that decide what the teacher answers (a resumed run must keep them); where the server is and
     * how the client waits do not.
     */
    public Map<String, Object> answerDeciding() {
        Map<String, Object> deciding = new LinkedHashMap<>();
        deciding.put("model", model);
        deciding.put("wire_dtype", wireDtype.id());
        deciding.put("n_teachers_to_sample", nTeachersToSample);
        return deciding;
    }
}
