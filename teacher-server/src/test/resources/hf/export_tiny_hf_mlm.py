"""Exports a tiny, randomly initialised Hugging Face BertForMaskedLM to ONNX as a test fixture.

Run once on a machine with torch + transformers (no network needed: the config is built here, weights are random;
onnxruntime is used to cross-check the exported graph):
    python export_tiny_hf_mlm.py OUT_DIR
Writes OUT_DIR/bert_mlm.onnx (inputs input_ids, attention_mask, token_type_ids, int64 [batch, sequence]; outputs
logits [batch, sequence, 30522] and last_hidden_state [batch, sequence, 32]) and OUT_DIR/bert_mlm.expected.json
(the inputs, and for a few probed positions torch's top 8 logits with their token ids, the logsumexp over the
vocabulary and the last hidden state).

The model has the full uncased BERT vocabulary (30522) so that real token ids can be fed, but is otherwise tiny
(hidden 32, 2 layers). The output projection is tied to the word embeddings, and the graph must hold that matrix
once only (about 3.9 MB of fp32). Random initialisation gives nearly uniform logits, so the word embeddings (and
with them, being tied, the output projection) are scaled by EMBEDDING_SCALE (32) before export: the softmax then has
a real top-k structure for tests of distillation targets (at the probed positions the top token has about 10-20% of
the probability and the top 8 about 40%; a scale of 8 left the top 8 with only 0.5%).
"""
import inspect
import json
import math
import os
import sys

import torch
import transformers
from transformers import BertConfig, BertForMaskedLM

SEED = 7
EMBEDDING_SCALE = 32.0
TOP_K = 8
NAMES = ["input_ids", "attention_mask", "token_type_ids"]
PAD, CLS, SEP, MASK = 0, 101, 102, 103

# Token ids from the bert-base-uncased vocabulary; the model is random, so the words only make the fixture readable.
#   [CLS] the [MASK] of france is [MASK] . [SEP]
#   [CLS] [MASK] cat [SEP] dog [SEP]          (a sentence pair: the second segment has token type 1)
EXAMPLES = [
    {"input_ids": [CLS, 1996, MASK, 1997, 2605, 2003, MASK, 1012, SEP],
     "token_type_ids": [0, 0, 0, 0, 0, 0, 0, 0, 0],
     "probe_positions": [2, 4, 6]},
    {"input_ids": [CLS, MASK, 4937, SEP, 3899, SEP],
     "token_type_ids": [0, 0, 0, 0, 1, 1],
     "probe_positions": [1, 4]},
]


class LogitsAndHidden(torch.nn.Module):
    """Positional inputs in NAMES order; returns the MLM logits and the encoder's last hidden state."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                         output_hidden_states=True)
        return out.logits, out.hidden_states[-1]


def build_model():
    torch.manual_seed(SEED)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128, type_vocab_size=2, pad_token_id=0,
                        tie_word_embeddings=True)
    model = BertForMaskedLM(config).eval()
    embedding = model.get_input_embeddings().weight
    decoder = model.get_output_embeddings().weight
    if decoder is not embedding and decoder.data_ptr() != embedding.data_ptr():
        raise SystemExit("decoder weight is not tied to the word embeddings")
    with torch.no_grad():
        embedding.mul_(EMBEDDING_SCALE)  # in place: the tied decoder sees the same scaled matrix
    assert torch.equal(model.get_output_embeddings().weight, embedding)
    return model


def padded_batch():
    length = max(len(e["input_ids"]) for e in EXAMPLES)
    feeds = {n: torch.zeros((len(EXAMPLES), length), dtype=torch.long) for n in NAMES}
    for row, e in enumerate(EXAMPLES):
        n = len(e["input_ids"])
        feeds["input_ids"][row, :n] = torch.tensor(e["input_ids"])
        feeds["token_type_ids"][row, :n] = torch.tensor(e["token_type_ids"])
        feeds["attention_mask"][row, :n] = 1
    return feeds


def export(wrapper, feeds, path):
    dynamic = {n: {0: "batch", 1: "sequence"} for n in NAMES}
    dynamic["logits"] = {0: "batch", 1: "sequence"}
    dynamic["last_hidden_state"] = {0: "batch", 1: "sequence"}
    kwargs = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    # No constant folding: folding would store the transpose of the tied matrix as a second initializer.
    torch.onnx.export(wrapper, tuple(feeds[n] for n in NAMES), path, input_names=NAMES,
                      output_names=["logits", "last_hidden_state"], dynamic_axes=dynamic, opset_version=17,
                      do_constant_folding=False, **kwargs)
    wrapper.eval()  # the exporter restores the previous mode; make sure dropout is off for the references


def check_graph(path):
    import onnx
    graph = onnx.load(path)
    big = [(i.name, list(i.dims)) for i in graph.graph.initializer if math.prod(i.dims) >= 30522 * 32]
    if len(big) != 1:
        raise SystemExit(f"expected the tied vocabulary matrix once among the initializers, found {big}")
    size = os.path.getsize(path)
    if size >= 5 * 1024 * 1024:
        raise SystemExit(f"{path} is {size} bytes, over 5 MB")
    return {"opset": max(o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")),
            "vocabulary_initializer": {"name": big[0][0], "dims": big[0][1]}}


def run_onnxruntime(path, feeds, torch_logits, torch_hidden):
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    inputs = [(i.name, i.shape) for i in session.get_inputs()]
    outputs = [(o.name, o.shape) for o in session.get_outputs()]
    expected = [("logits", ["batch", "sequence", 30522]), ("last_hidden_state", ["batch", "sequence", 32])]
    if [n for n, _ in inputs] != NAMES or outputs != expected:
        raise SystemExit(f"unexpected graph signature: inputs {inputs}, outputs {outputs}")
    logits, hidden = session.run(["logits", "last_hidden_state"], {n: feeds[n].numpy() for n in NAMES})
    real = feeds["attention_mask"].bool()
    diff_logits = (torch.from_numpy(logits) - torch_logits)[real].abs().max().item()
    diff_hidden = (torch.from_numpy(hidden) - torch_hidden)[real].abs().max().item()
    return {"logits": diff_logits, "last_hidden_state": diff_hidden}


def main(out_dir):
    model = build_model()
    wrapper = LogitsAndHidden(model).eval()
    feeds = padded_batch()
    path = os.path.join(out_dir, "bert_mlm.onnx")
    export(wrapper, feeds, path)
    graph_info = check_graph(path)

    with torch.no_grad():
        batch_logits, batch_hidden = wrapper(*(feeds[n] for n in NAMES))
    ort_diff = run_onnxruntime(path, feeds, batch_logits, batch_hidden)

    # References: each example alone, unpadded, as a user would see it from torch.
    examples = []
    padding_diff = 0.0
    with torch.no_grad():
        for row, e in enumerate(EXAMPLES):
            n = len(e["input_ids"])
            alone = {k: feeds[k][row:row + 1, :n] for k in NAMES}
            logits, hidden = wrapper(*(alone[k] for k in NAMES))
            padding_diff = max(padding_diff, (logits[0] - batch_logits[row, :n]).abs().max().item())
            probes = []
            for pos in e["probe_positions"]:
                values, indices = torch.topk(logits[0, pos], TOP_K + 1)
                probes.append({
                    "position": pos,
                    "input_id": e["input_ids"][pos],
                    "top_logits": values[:TOP_K].tolist(),
                    "top_indices": indices[:TOP_K].tolist(),
                    # Smallest gap between consecutive logits among the top k+1: how robust the ranking is.
                    "top_min_gap": (values[:-1] - values[1:]).min().item(),
                    "logsumexp": torch.logsumexp(logits[0, pos], dim=0).item(),
                    "last_hidden_state": hidden[0, pos].tolist(),
                })
            examples.append({"inputs": {k: alone[k][0].tolist() for k in NAMES}, "probes": probes})

    result = {
        "model": "bert_mlm",
        "pad_id": PAD,
        "mask_id": MASK,
        "vocab_size": model.config.vocab_size,
        "hidden_size": model.config.hidden_size,
        "seed": SEED,
        "embedding_scale": EMBEDDING_SCALE,
        "top_k": TOP_K,
        "opset": graph_info["opset"],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "batch_inputs": {k: feeds[k].tolist() for k in NAMES},
        "max_abs_diff_onnxruntime": ort_diff,
        "max_abs_diff_torch_padded_vs_alone_logits": padding_diff,
        "examples": examples,
    }
    with open(os.path.join(out_dir, "bert_mlm.expected.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({"onnx_bytes": os.path.getsize(path), **graph_info, "max_abs_diff_onnxruntime": ort_diff,
                      "padded_vs_alone": padding_diff}))


if __name__ == "__main__":
    main(sys.argv[1])
