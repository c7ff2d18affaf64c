package org.distillery.student.cli;

import org.distillery.student.options.TeacherOptions;
import org.distillery.student.options.WireDtype;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The link to a teacher server; defaults from {@link TeacherOptions#DEFAULTS}. */
public final class TeacherMixin {
    private static final TeacherOptions D = TeacherOptions.DEFAULTS;

    @Option(names = "--teacher", description = "Teacher server host:port, a fleet host:port,host:port,... or a gRPC "
            + "target such as dns:///teachers.ns.svc.cluster.local:50051 (one stream per ready teacher, requests to "
            + "the least loaded, a dead teacher's requests resent to the others); without it no distillation.")
    String target;
    @Option(names = "--teacher-model", description = "Model or ensemble on the teacher server.")
    String model;
    @Option(names = "--teacher-timeout-s", description = "Longest wait for one teacher answer, seconds "
            + "(default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = D.timeoutSeconds();
    @Option(names = "--teacher-retries", description = "Times one request is resent after the stream it was on "
            + "ended, then with backoff; a dead teacher's first resend is immediate "
            + "(default: ${DEFAULT-VALUE}).")
    int retries = D.retries();
    @Option(names = "--wire-dtype", description = "fp16, bf16 or fp32 for teacher outputs on the wire "
            + "(default: ${DEFAULT-VALUE}).")
    WireDtype wireDtype = D.wireDtype();
    @Option(names = "--prefetch", description = "Teacher batches in flight ahead of training "
            + "(default: ${DEFAULT-VALUE}).")
    int prefetch = D.prefetch();
    @Option(names = "--n-teachers-to-sample", description = "Ensemble members asked per step; 0 = all "
            + "(default: ${DEFAULT-VALUE}).")
    int nTeachers = D.nTeachersToSample();
    @Option(names = "--teacher-onnx", description = "The teacher's ONNX file, to read its classifier head from.")
    Path teacherOnnx;
    @Option(names = "--teacher-head", description = "Initializer names of the teacher head's weight and bias "
            + "(default: ${DEFAULT-VALUE}).")
    String teacherHead = D.teacherHead();
    @Option(names = "--teacher-tls-ca", paramLabel = "PEM", description = "Use TLS and trust teacher certificates "
            + "signed by this CA (default: plaintext).")
    Path tlsCa = D.tlsCa();
    @Option(names = "--teacher-tls-cert", paramLabel = "PEM", description = "Client certificate for a teacher that "
            + "requires one (mTLS); turns TLS on, needs --teacher-tls-key (default: none).")
    Path tlsCert = D.tlsCert();
    @Option(names = "--teacher-tls-key", paramLabel = "PEM", description = "The client certificate's PKCS#8 key "
            + "('BEGIN PRIVATE KEY') (default: none).")
    Path tlsKey = D.tlsKey();
    @Option(names = "--teacher-token-file", paramLabel = "FILE", description = "Send 'authorization: Bearer <token>' "
            + "with the file's trimmed content (default: no token).")
    Path tokenFile = D.tokenFile();
    @Option(names = "--teacher-cache", paramLabel = "DIR", description = "Keep teacher answers on disk, per example "
            + "and teacher version: later epochs and later runs on the same data read them instead of asking the "
            + "teacher (default: no cache).")
    Path cacheDir = D.cacheDir();

    /** The validated options. */
    public TeacherOptions options() {
        return new TeacherOptions(target, model, timeoutSeconds, retries, wireDtype, prefetch, nTeachers, teacherOnnx,
                teacherHead, tlsCa, tlsCert, tlsKey, tokenFile, cacheDir);
    }
}
