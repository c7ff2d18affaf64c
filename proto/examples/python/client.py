#!/usr/bin/env python3
"""A Python client of a Distillery teacher server, built on stubs generated from proto/ (see generate.sh).

It describes a model (GetModelInfo), sends text examples with Infer (and, with --stream, InferStream), asks for the
outputs as FLOAT32, FLOAT16 and BFLOAT16 and for top-k, and decodes every answer to numpy. With --check it compares
the 16-bit and top-k answers against the FLOAT32 one and exits 1 on any mismatch.

Wire format (distillery/v1/teacher.proto): a Tensor is dtype + shape + raw little-endian row-major bytes. Top-k
answers carry the k largest values over the last axis (largest first, in the requested dtype) under the output's
name in `outputs`, and their int32 positions along that axis under the same name in `top_k_indices`; both have the
output's shape with the last axis cut to k. A vocabulary selection (InferRequest.vocabulary) answers the logits output
as log-probabilities the same way; SAMPLE adds `sample_weights` (count / k per distinct drawn token, 0 for padding)
under the same name, so that sum(weight * f(token)) estimates the expectation of f. --sample K asks for one.
"""

import argparse
import os
import sys
import time

import grpc
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# gRPC Python refuses received messages over 4 MB by default (RESOURCE_EXHAUSTED). Teacher outputs outgrow that
# quickly: a [batch, vocabulary] head in fp32 is 4 bytes x 30522 per example, and MLM logits of three short sequences
# are already about 6 MB. Both directions get the same limit so large tensor inputs pass as well; the server accepts
# messages up to its --max-message-mb.
DEFAULT_MAX_MESSAGE_MIB = 64

DEFAULT_TEXTS = [
    "the movie was great",
    "the dog is not very good with a ball",
    "hello world !",
    "a cat sat on the mat and was playing",
]

# Numpy dtypes of the wire's element types. BFLOAT16 is read as its raw 16 bits: numpy has no bfloat16.
WIRE_DTYPES = {
    "FLOAT32": np.dtype("<f4"),
    "FLOAT16": np.dtype("<f2"),
    "BFLOAT16": np.dtype("<u2"),
    "INT64": np.dtype("<i8"),
    "INT32": np.dtype("<i4"),
}

# Half a unit in the last place, relative to the value: fp16 keeps 11 significant bits and bf16 8, and the server
# rounds to nearest (ties to even). fp16 subnormals (below 2^-14) are spaced 2^-24 apart, so there the error bound is
# absolute, 2^-25. bf16 has float32's exponent range, so its relative bound holds down to float32's own subnormals.
REL_BOUND = {"FLOAT32": 0.0, "FLOAT16": 2.0 ** -11, "BFLOAT16": 2.0 ** -8}
ABS_BOUND = {"FLOAT32": 0.0, "FLOAT16": 2.0 ** -25, "BFLOAT16": 0.0}
FP16_MAX = 65504.0
# Each dtype is a separate request, hence a separate run of the model; the server answers a request as it would
# alone, but allow float32 noise of a few ulps at the output's scale between runs.
RUN_NOISE = 1e-5


def load_stubs(stubs_dir):
    sys.path.insert(0, stubs_dir)
    try:
        from distillery.v1 import teacher_pb2, teacher_pb2_grpc
    except ImportError as e:
        sys.exit("client.py: cannot import the stubs from %s (%s); run generate.sh first" % (stubs_dir, e))
    return teacher_pb2, teacher_pb2_grpc


def decode(pb, tensor):
    """A wire Tensor as a numpy array: float32 for the float types, int64/int32 for the integer ones."""
    kind = pb.DataType.Name(tensor.dtype)
    if kind not in WIRE_DTYPES:
        raise ValueError("tensor has dtype %s, not one of %s" % (kind, ", ".join(WIRE_DTYPES)))
    wire = WIRE_DTYPES[kind]
    shape = tuple(int(d) for d in tensor.shape)
    count = int(np.prod(shape, dtype=np.int64))
    if len(tensor.data) != count * wire.itemsize:
        raise ValueError("%s tensor of shape %s needs %d bytes, got %d"
                         % (kind, shape, count * wire.itemsize, len(tensor.data)))
    values = np.frombuffer(tensor.data, dtype=wire)
    if kind == "FLOAT16":
        values = values.astype(np.float32)
    elif kind == "BFLOAT16":
        # A bfloat16 is the upper half of a float32: put its bits there and read the word as float32.
        values = (values.astype(np.uint32) << 16).view(np.float32)
    return values.reshape(shape)


def infer_request(pb, model, texts, dtype, top_k=0, outputs=(), request_id="", vocabulary=None):
    request = pb.InferRequest(
        model=model,
        request_id=request_id,
        texts=[pb.TextInput(text=t) for t in texts],
        outputs=list(outputs),
        output_dtype=pb.DataType.Value(dtype),
        top_k=top_k,
    )
    if vocabulary is not None:
        request.vocabulary.CopyFrom(vocabulary)
    return request


def spec(pb, t):
    dims = [n if n else ("?" if d < 0 else str(d)) for d, n in zip(t.shape, list(t.dim_names) + [""] * len(t.shape))]
    return "%s[%s] %s" % (t.name, ",".join(dims), pb.DataType.Name(t.dtype).lower())


def describe(label, response, decoded, indices=None):
    parts = []
    for name in sorted(decoded):
        parts.append("%s%s" % (name, tuple(decoded[name].shape)))
    line = "%-22s %9d bytes  %s  queue %.1f ms, compute %.1f ms" % (
        label, response.ByteSize(), " ".join(parts), response.timings.queue_us / 1000.0,
        response.timings.compute_us / 1000.0)
    if indices:
        name = sorted(indices)[0]
        first = ", ".join("%d:%.3f" % (int(i), float(v))
                          for i, v in zip(indices[name].reshape(-1, indices[name].shape[-1])[0],
                                          decoded[name].reshape(-1, decoded[name].shape[-1])[0]))
        line += "\n%-22s example 0 of %s: %s" % ("", name, first)
    print(line)


def decode_response(pb, response):
    outputs = {name: decode(pb, t) for name, t in response.outputs.items()}
    indices = {name: decode(pb, t) for name, t in response.top_k_indices.items()}
    return outputs, indices


def decode_sample_weights(pb, response):
    """The importance weights of a SAMPLE vocabulary selection by output name (FLOAT32 or FLOAT16 on the wire)."""
    return {name: decode(pb, t) for name, t in response.sample_weights.items()}


class Checker:
    """Compares decoded 16-bit and top-k answers against the FLOAT32 answer; counts mismatches."""

    def __init__(self):
        self.failures = 0

    def fail(self, message):
        self.failures += 1
        print("MISMATCH " + message)

    def dtype(self, label, dtype, reference, decoded):
        for name, ref in reference.items():
            if name not in decoded:
                self.fail("%s: output %s missing" % (label, name))
                continue
            got = decoded[name]
            if got.shape != ref.shape:
                self.fail("%s %s: shape %s, FLOAT32 gave %s" % (label, name, got.shape, ref.shape))
                continue
            if ref.dtype.kind != "f":
                if not np.array_equal(got, ref):
                    self.fail("%s %s: integer output differs from the FLOAT32 answer" % (label, name))
                continue
            bound = self.bound(dtype, ref)
            expected = ref.astype(np.float32)
            if dtype == "FLOAT16":
                # Past fp16's largest finite value the server rounds to infinity of the same sign.
                big = np.abs(expected) >= FP16_MAX + 16
                expected = np.where(big, np.copysign(np.inf, expected), expected)
                bound = np.where(big, 0.0, bound)
            with np.errstate(invalid="ignore"):
                err = np.where(got == expected, 0.0, np.abs(got - expected))  # equal infinities differ by nan
            worst = float(np.max(err / np.maximum(bound, np.finfo(np.float32).tiny))) if err.size else 0.0
            if not np.all(err <= bound):
                bad = int(np.argmax(err - bound))
                self.fail("%s %s: element %d is %r, FLOAT32 gave %r (bound %.3g)"
                          % (label, name, bad, float(got.flat[bad]), float(expected.flat[bad]),
                             float(np.broadcast_to(bound, err.shape).flat[bad])))
            else:
                print("check %-40s ok  largest error %.2f of the bound" % (label + " " + name, worst))

    @staticmethod
    def bound(dtype, ref):
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
        return REL_BOUND[dtype] * np.abs(ref) + ABS_BOUND[dtype] + RUN_NOISE * scale

    def top_k(self, label, dtype, k, reference, values, indices):
        for name, v in values.items():
            if name not in reference or name not in indices:
                self.fail("%s %s: no FLOAT32 output or no indices to compare with" % (label, name))
                continue
            ref = reference[name]
            idx = indices[name]
            axis = ref.shape[-1]
            want = min(k, axis)
            shape = ref.shape[:-1] + (want,)
            if v.shape != shape or idx.shape != shape or idx.dtype != np.int32:
                self.fail("%s %s: values %s and indices %s %s, expected %s and int32"
                          % (label, name, v.shape, idx.shape, idx.dtype, shape))
                continue
            if np.any(idx < 0) or np.any(idx >= axis):
                self.fail("%s %s: an index outside [0, %d)" % (label, name, axis))
                continue
            if np.any(np.diff(v, axis=-1) > 0):
                self.fail("%s %s: values not in descending order" % (label, name))
                continue
            if np.any(np.diff(np.sort(idx, axis=-1), axis=-1) == 0):
                self.fail("%s %s: an index repeats within a row" % (label, name))
                continue
            at = np.take_along_axis(ref, idx.astype(np.int64), axis=-1)
            largest = -np.sort(-ref, axis=-1)[..., :want]
            noise = RUN_NOISE * (float(np.max(np.abs(ref))) if ref.size else 0.0)
            # The indices must point at the k largest values (ties may be taken in any order)...
            if not np.all(np.abs(at - largest) <= noise):
                self.fail("%s %s: the indices do not select the %d largest values" % (label, name, want))
                continue
            # ...and the values must be those elements, within the dtype's rounding.
            bound = self.bound(dtype, at)
            if not np.all(np.abs(v - at) <= bound):
                self.fail("%s %s: top-k values differ from the FLOAT32 elements at their indices" % (label, name))
                continue
            print("check %-40s ok  indices select the %d largest, values within the %s bound"
                  % (label + " " + name, want, dtype))

    def sample(self, label, k, values, indices, weights):
        """A SAMPLE selection: per row, weights are counts / k summing to 1, ids distinct, values log-probabilities."""
        for name, w in weights.items():
            v = values.get(name)
            idx = indices.get(name)
            if v is None or idx is None or v.shape != w.shape or idx.shape != w.shape:
                self.fail("%s %s: values, indices and weights differ in shape" % (label, name))
                continue
            rows_w = w.reshape(-1, w.shape[-1]).astype(np.float64)
            rows_i = idx.reshape(-1, idx.shape[-1])
            rows_v = v.reshape(-1, v.shape[-1])
            # FLOAT16 weights are count / k rounded to 11 significant bits; the counts are whole numbers.
            counts = rows_w * k
            if np.any(np.abs(counts - np.round(counts)) > 1e-2 * np.maximum(1.0, counts)):
                self.fail("%s %s: a weight is not a count / %d" % (label, name, k))
                continue
            if np.any(np.abs(np.round(counts).sum(axis=-1) - k) > 0):
                self.fail("%s %s: a row's counts do not add up to k = %d" % (label, name, k))
                continue
            drawn = rows_w > 0
            if any(len(set(r[d].tolist())) != int(d.sum()) for r, d in zip(rows_i, drawn)):
                self.fail("%s %s: a token repeats within a row" % (label, name))
                continue
            if np.any(rows_v[drawn] > 1e-3) or np.any(rows_i[~drawn] != 0) or np.any(rows_v[~drawn] != 0):
                self.fail("%s %s: values are not log-probabilities, or padding is not id 0 and value 0"
                          % (label, name))
                continue
            print("check %-40s ok  %d rows of weights summing to 1, at most %d distinct tokens"
                  % (label + " " + name, rows_w.shape[0], w.shape[-1]))


def run(args):
    pb, pb_grpc = load_stubs(args.stubs)
    options = []
    if args.max_message_mib > 0:
        limit = args.max_message_mib * 1024 * 1024
        options = [("grpc.max_receive_message_length", limit), ("grpc.max_send_message_length", limit)]
    with grpc.insecure_channel(args.target, options=options) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=args.timeout)
        except grpc.FutureTimeoutError:
            print("client.py: no teacher server at %s within %.0f s" % (args.target, args.timeout), file=sys.stderr)
            return 1
        stub = pb_grpc.TeacherServiceStub(channel)
        limit_text = "%d MiB" % args.max_message_mib if args.max_message_mib > 0 else "gRPC's default (4 MB)"
        print("target %s, message limit %s" % (args.target, limit_text))
        try:
            return exchange(args, pb, stub)
        except grpc.RpcError as e:
            print("client.py: %s failed: %s: %s" % (getattr(e, "method", "call"), e.code().name, e.details()),
                  file=sys.stderr)
            if e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "message" in (e.details() or "").lower():
                print("client.py: a message is over the channel's limit; raise --max-message-mib", file=sys.stderr)
            return 1


class Call:
    """Remembers which RPC is running, for the error line."""

    def __init__(self, name, fn):
        self.name = name
        self.fn = fn

    def __call__(self, *a, **kw):
        try:
            return self.fn(*a, **kw)
        except grpc.RpcError as e:
            e.method = self.name
            raise


def exchange(args, pb, stub):
    model = args.model
    if not model:
        models = Call("ListModels", stub.ListModels)(pb.ListModelsRequest(), timeout=args.timeout).models
        if not models:
            print("client.py: the server holds no model", file=sys.stderr)
            return 1
        model = models[0].name
    info = Call("GetModelInfo", stub.GetModelInfo)(pb.ModelInfoRequest(model=model), timeout=args.timeout)
    print("model %s%s: inputs %s; outputs %s; logits output %s; texts %s; at most %d examples a request"
          % (info.name, " (ensemble of %s)" % ", ".join(info.members) if info.ensemble else "",
             ", ".join(spec(pb, t) for t in info.inputs), ", ".join(spec(pb, t) for t in info.outputs),
             info.logits_output, "yes" if info.accepts_texts else "no", info.max_request_examples))
    if not info.accepts_texts:
        print("client.py: model %s was started without a tokenizer; this example sends texts only" % model,
              file=sys.stderr)
        return 1
    texts = (args.text or DEFAULT_TEXTS) * args.copies
    print("%d examples" % len(texts))

    infer = Call("Infer", stub.Infer)
    answers = {}
    for dtype in ("FLOAT32", "FLOAT16", "BFLOAT16"):
        response = infer(infer_request(pb, model, texts, dtype), timeout=args.timeout)
        answers[dtype] = decode_response(pb, response)[0]
        describe("Infer %s" % dtype, response, answers[dtype])
    top_outputs = [info.logits_output]
    response = infer(infer_request(pb, model, texts, args.top_k_dtype, top_k=args.top_k, outputs=top_outputs),
                     timeout=args.timeout)
    top_values, top_indices = decode_response(pb, response)
    describe("Infer top-%d %s" % (args.top_k, args.top_k_dtype), response, top_values, top_indices)
    sampled = None
    if args.sample > 0:
        selection = pb.VocabularySelection(mode=pb.VocabularySelection.SAMPLE, k=args.sample, seed=1)
        response = infer(infer_request(pb, model, texts, args.top_k_dtype, outputs=top_outputs, vocabulary=selection),
                         timeout=args.timeout)
        sample_values, sample_indices = decode_response(pb, response)
        sampled = (sample_values, sample_indices, decode_sample_weights(pb, response))
        describe("Infer sample-%d %s" % (args.sample, args.top_k_dtype), response, sample_values, sample_indices)

    stream_answers = None
    if args.stream:
        stream_answers = stream(args, pb, stub, model, texts, top_outputs)
        if stream_answers is None:
            return 1

    if not args.check:
        return 0
    checker = Checker()
    check(checker, "Infer", args, answers, top_values, top_indices)
    if sampled is not None:
        checker.sample("Infer sample", args.sample, *sampled)
    if stream_answers is not None:
        check(checker, "InferStream", args, *stream_answers)
    if checker.failures:
        print("check: FAILED, %d mismatches" % checker.failures)
        return 1
    print("check: ok")
    return 0


def check(checker, label, args, answers, top_values, top_indices):
    reference = answers["FLOAT32"]
    for dtype in ("FLOAT16", "BFLOAT16"):
        checker.dtype("%s %s" % (label, dtype), dtype, reference, answers[dtype])
    checker.top_k("%s top-k" % label, args.top_k_dtype, args.top_k, reference, top_values, top_indices)


def stream(args, pb, stub, model, texts, top_outputs):
    """The same four requests on one InferStream; responses are matched by request id, not by order."""
    requests = [infer_request(pb, model, texts, d, request_id=d) for d in ("FLOAT32", "FLOAT16", "BFLOAT16")]
    requests.append(infer_request(pb, model, texts, args.top_k_dtype, top_k=args.top_k, outputs=top_outputs,
                                  request_id="top-k"))
    start = time.monotonic()
    by_id = {}
    for response in Call("InferStream", stub.InferStream)(iter(requests), timeout=args.timeout):
        if response.HasField("error") and response.error.code != 0:
            codes = {c.value[0]: c.name for c in grpc.StatusCode}
            print("client.py: InferStream request %s failed: %s: %s"
                  % (response.request_id, codes.get(response.error.code, response.error.code),
                     response.error.message), file=sys.stderr)
            return None
        by_id[response.request_id] = response
    missing = [r.request_id for r in requests if r.request_id not in by_id]
    if missing:
        print("client.py: InferStream ended without answers to %s" % ", ".join(missing), file=sys.stderr)
        return None
    answers = {d: decode_response(pb, by_id[d])[0] for d in ("FLOAT32", "FLOAT16", "BFLOAT16")}
    top_values, top_indices = decode_response(pb, by_id["top-k"])
    print("%-22s %9d bytes in %d responses, %.0f ms"
          % ("InferStream", sum(r.ByteSize() for r in by_id.values()), len(by_id),
             (time.monotonic() - start) * 1000.0))
    return answers, top_values, top_indices


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="server address (default %(default)s)")
    parser.add_argument("--model", help="model or ensemble name (default: the first the server lists)")
    parser.add_argument("--text", action="append", help="an example text (repeatable; default: four sentences)")
    parser.add_argument("--copies", type=int, default=1, help="send the texts this many times in each request")
    parser.add_argument("--top-k", type=int, default=5, help="k for the top-k request (default %(default)s)")
    parser.add_argument("--top-k-dtype", default="FLOAT32", choices=["FLOAT32", "FLOAT16", "BFLOAT16"],
                        help="dtype of the top-k values (default %(default)s)")
    parser.add_argument("--sample", type=int, default=0,
                        help="also ask for a SAMPLE vocabulary selection of this many draws (default: none)")
    parser.add_argument("--stream", action="store_true", help="also send the requests on one InferStream")
    parser.add_argument("--check", action="store_true",
                        help="compare FLOAT16, BFLOAT16 and top-k against FLOAT32; exit 1 on a mismatch")
    parser.add_argument("--max-message-mib", type=int, default=DEFAULT_MAX_MESSAGE_MIB,
                        help="send and receive limit of the channel (default %(default)s; 0 keeps gRPC's 4 MB)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for each call (default %(default)s)")
    parser.add_argument("--stubs", default=os.path.join(HERE, "generated"),
                        help="directory generate.sh wrote the stubs to (default: generated/ beside this file)")
    args = parser.parse_args(argv)
    if args.copies < 1 or args.top_k < 1 or args.max_message_mib < 0 or args.sample < 0:
        parser.error("--copies and --top-k must be >= 1, --max-message-mib and --sample >= 0")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
