# The teacher server: ONNX Runtime teachers over gRPC, health and reflection on, /metrics on 9400.
#
#   docker build -f deploy/docker/teacher-server.Dockerfile -t distillery/teacher-server .     (repository root)
#   docker run -v "$PWD/model:/models:ro" -p 50051:50051 distillery/teacher-server \
#       --model teacher=/models/teacher.onnx --device cpu --metrics-port 9400
#
# Build arguments:
#   BASE         the runtime image: JRE 17 with java on PATH, bash and useradd (default eclipse-temurin:17-jre)
#   BUILDER      JDK 17 + Maven for the build stage (default maven:3.9-eclipse-temurin-17)
#   ONNXRUNTIME  onnxruntime_gpu (default; runs on CPU too, CUDA 12 when BASE has its libraries) or onnxruntime
#                (52 MB, CPU only)
#   PREBUILT     1: no Maven in the image; copy what `mvn -B -DskipTests package` built on the host
#                (teacher-server/target: teacher-server.jar, lib/, classpath.txt). Any BUILDER with /bin/sh will
#                do then, e.g. the same image as BASE, so nothing is pulled.
# The legacy builder (DOCKER_BUILDKIT=0) builds every stage, so the build stage copies or builds; it never needs
# another image than BUILDER.
ARG BASE=eclipse-temurin:17-jre
ARG BUILDER=maven:3.9-eclipse-temurin-17

FROM ${BUILDER} AS build
ARG PREBUILT=0
ARG ONNXRUNTIME=onnxruntime_gpu
WORKDIR /src
# Maven reads every module's pom even when it builds only some of them.
COPY pom.xml ./
COPY proto proto
COPY common common
COPY teacher-server teacher-server
COPY student-trainer/pom.xml student-trainer/pom.xml
COPY bin bin
RUN set -eu; \
    out=teacher-server/target; \
    if [ "$PREBUILT" = 1 ]; then \
      for f in "$out/teacher-server.jar" "$out/classpath.txt" "$out/lib"; do \
        [ -e "$f" ] || { echo "PREBUILT=1 expects $f: run 'mvn -B -DskipTests package' first" >&2; exit 1; }; \
      done; \
    else \
      mvn -B -q -DskipTests -Donnxruntime.artifact="$ONNXRUNTIME" package -pl teacher-server -am; \
    fi; \
    mkdir -p "/out/$out" /out/bin; \
    cp -r "$out/teacher-server.jar" "$out/classpath.txt" "$out/lib" "/out/$out/"; \
    cp bin/teacher-server /out/bin/

FROM ${BASE}
# Numeric, so that Kubernetes' runAsNonRoot can check it.
ARG UID=10001
# An empty named volume mounted on a directory of the image starts as a copy of it: owned by the user, so an init
# service or container can write a model into /models (and the trainer its runs into /runs).
RUN groupadd --system --gid "$UID" distillery \
    && useradd --system --uid "$UID" --gid "$UID" --create-home --home-dir /home/distillery \
      --shell /usr/sbin/nologin distillery \
    && mkdir -p /models \
    && chown "$UID:$UID" /models
COPY --from=build /out/ /opt/distillery/
ENV PATH=/opt/distillery/bin:$PATH \
    JAVA_OPTS="" \
    HEALTH_TARGET=127.0.0.1:50051
USER ${UID}:${UID}
WORKDIR /home/distillery
EXPOSE 50051 9400
# A small JVM of its own (the server's JAVA_OPTS may ask for a large heap); exit 2 (bad usage) is reserved by
# Docker, hence "|| exit 1". HEALTH_TARGET follows --port when it is not 50051.
HEALTHCHECK --interval=15s --timeout=15s --start-period=60s --retries=3 \
  CMD JAVA_OPTS="-Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC" \
      teacher-server health --target "$HEALTH_TARGET" --timeout-seconds 5 || exit 1
ENTRYPOINT ["/opt/distillery/bin/teacher-server"]
CMD ["--model", "teacher=/models/teacher.onnx", "--device", "auto", "--metrics-port", "9400"]
