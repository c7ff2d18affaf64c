# The student trainer: DJL (PyTorch engine, CPU) students trained against teacher servers.
#
#   docker build -f deploy/docker/student-trainer.Dockerfile -t distillery/student-trainer .   (repository root)
#   docker run -v "$PWD/runs:/runs" distillery/student-trainer train --dataset tiny --run-dir /runs/tiny \
#       --teacher teacher-1:50051,teacher-2:50051 --teacher-model teacher --tokenizer /models/tokenizer.json
#
# Build arguments as in teacher-server.Dockerfile (BASE, BUILDER, PREBUILT; ONNXRUNTIME does not apply: the
# trainer always uses the CPU build of ONNX Runtime, for export parity checks). PREBUILT=1 copies
# student-trainer/target: student-trainer.jar, lib/, classpath.txt.
ARG BASE=eclipse-temurin:17-jre
ARG BUILDER=maven:3.9-eclipse-temurin-17

FROM ${BUILDER} AS build
ARG PREBUILT=0
WORKDIR /src
COPY pom.xml ./
COPY proto proto
COPY common common
COPY teacher-server/pom.xml teacher-server/pom.xml
COPY teacher-server/src teacher-server/src
COPY student-trainer student-trainer
COPY bin bin
RUN set -eu; \
    out=student-trainer/target; \
    if [ "$PREBUILT" = 1 ]; then \
      for f in "$out/student-trainer.jar" "$out/classpath.txt" "$out/lib"; do \
        [ -e "$f" ] || { echo "PREBUILT=1 expects $f: run 'mvn -B -DskipTests package' first" >&2; exit 1; }; \
      done; \
    else \
      mvn -B -q -DskipTests package -pl student-trainer -am; \
    fi; \
    mkdir -p "/out/$out" /out/bin; \
    cp -r "$out/student-trainer.jar" "$out/classpath.txt" "$out/lib" "/out/$out/"; \
    cp bin/student-trainer /out/bin/

FROM ${BASE}
ARG UID=10001
# An empty named volume mounted on a directory of the image starts as a copy of it: owned by the user, so an init
# service or container can write a model into /models (and the trainer its runs into /runs).
RUN groupadd --system --gid "$UID" distillery \
    && useradd --system --uid "$UID" --gid "$UID" --create-home --home-dir /home/distillery \
      --shell /usr/sbin/nologin distillery \
    && mkdir -p /runs /models \
    && chown "$UID:$UID" /runs /models
COPY --from=build /out/ /opt/distillery/
# DJL unpacks libtorch (about 450 MB) into the user's home at first use.
ENV PATH=/opt/distillery/bin:$PATH \
    JAVA_OPTS="" \
    DJL_OFFLINE=true
USER ${UID}:${UID}
WORKDIR /home/distillery
EXPOSE 9400
HEALTHCHECK NONE
ENTRYPOINT ["/opt/distillery/bin/student-trainer"]
CMD ["--help"]
