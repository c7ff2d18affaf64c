#!/usr/bin/env bash
# Generates the Python stubs of the wire contract (proto/src/main/proto) with grpcio-tools.
#
#   generate.sh [OUT_DIR]          default OUT_DIR: generated/ beside this script (ignored by git)
#
#   PYTHON                the interpreter that has grpcio-tools (default: python3)
#   GOOGLEAPIS_PROTO_DIR  a directory holding google/rpc/status.proto, when it is not found by itself
#
# teacher.proto imports google/rpc/status.proto (the error of a failed request on InferStream). It is taken from,
# in order: GOOGLEAPIS_PROTO_DIR; pip's googleapis-common-protos, which ships it; the copy the Java build unpacks
# under proto/target; the proto-google-common-protos jar in the local Maven repository. When Python cannot import
# google.rpc.status_pb2 (Debian packages no googleapis-common-protos), its stub is generated into OUT_DIR as well.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
protos="$repo/proto/src/main/proto"
out="${1:-$here/generated}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import grpc_tools.protoc' 2>/dev/null; then
    echo "generate.sh: $python cannot import grpc_tools; install grpcio-tools (pip) or python3-grpc-tools (Debian)," \
        "or point PYTHON at an interpreter that has it" >&2
    exit 1
fi
mkdir -p "$out"

status_dir=""
if [[ -n "${GOOGLEAPIS_PROTO_DIR:-}" ]]; then
    status_dir="$GOOGLEAPIS_PROTO_DIR"
fi
if [[ -z "$status_dir" ]]; then
    status_dir="$("$python" - <<'PY' 2>/dev/null || true
import os
import google.rpc
for path in google.rpc.__path__:
    if os.path.isfile(os.path.join(path, "status.proto")):
        print(os.path.dirname(os.path.dirname(path)))
        break
PY
)"
fi
if [[ -z "$status_dir" ]]; then
    for found in "$repo"/proto/target/protoc-dependencies/*/google/rpc/status.proto; do
        if [[ -f "$found" ]]; then
            status_dir="${found%/google/rpc/status.proto}"
            break
        fi
    done
fi
if [[ -z "$status_dir" ]]; then
    for jar in "${HOME:-/nonexistent}"/.m2/repository/com/google/api/grpc/proto-google-common-protos/*/*.jar; do
        if [[ -f "$jar" ]] && "$python" -c 'import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("google/rpc/status.proto", sys.argv[2])' "$jar" "$out/.protos" 2>/dev/null; then
            status_dir="$out/.protos"
            break
        fi
    done
fi
if [[ -z "$status_dir" || ! -f "$status_dir/google/rpc/status.proto" ]]; then
    echo "generate.sh: google/rpc/status.proto not found; build the Java modules once (mvn package)," \
        "install googleapis-common-protos with pip, or set GOOGLEAPIS_PROTO_DIR to a directory holding" \
        "google/rpc/status.proto" >&2
    exit 1
fi

sources=(distillery/v1/teacher.proto)
if ! "$python" -c 'import google.rpc.status_pb2' 2>/dev/null; then
    sources+=(google/rpc/status.proto)
fi
"$python" -m grpc_tools.protoc -I "$protos" -I "$status_dir" \
    --python_out "$out" --grpc_python_out "$out" "${sources[@]}"
echo "stubs for ${sources[*]} in $out"
