"""Exports tiny, randomly initialised Hugging Face classifiers to ONNX as test fixtures.

Run once on a machine with torch + transformers (no network needed: configs are built here, weights are random):
    python export_tiny_hf.py OUT_DIR
Writes <name>.onnx and <name>.expected.json (inputs and torch's outputs) for each architecture. The teacher
server's tests serve these graphs, which no code of this project wrote, and compare with torch's numbers.
"""
import json
import sys

import torch
import transformers
from transformers import (BertConfig, BertForSequenceClassification, DistilBertConfig,
                          DistilBertForSequenceClassification, RobertaConfig, RobertaForSequenceClassification)


class WithHiddenState(torch.nn.Module):
    """Returns logits and the last hidden state, so tests see an output with a sequence axis."""

    def __init__(self, model, names):
        super().__init__()
        self.model = model
        self.names = names

    def forward(self, *args):
        out = self.model(**dict(zip(self.names, args)), output_hidden_states=True)
        return out.logits, out.hidden_states[-1]


def export(name, model, names, pad_id, out_dir):
    wrapper = WithHiddenState(model, names).eval()
    gen = torch.Generator().manual_seed(1)
    # Two examples of different real lengths, right-padded with the model's pad id.
    lengths = [9, 5]
    ids = torch.full((2, 9), pad_id, dtype=torch.long)
    mask = torch.zeros((2, 9), dtype=torch.long)
    for row, n in enumerate(lengths):
        ids[row, 0] = 0 if name == "roberta" else 2
        ids[row, 1:n - 1] = torch.randint(5, 90, (n - 2,), generator=gen)
        ids[row, n - 1] = 2 if name == "roberta" else 3
        mask[row, :n] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": torch.zeros_like(ids)}
    args = tuple(feeds[n] for n in names)
    dynamic = {n: {0: "batch", 1: "sequence"} for n in names}
    dynamic["logits"] = {0: "batch"}
    dynamic["last_hidden_state"] = {0: "batch", 1: "sequence"}
    path = f"{out_dir}/{name}.onnx"
    torch.onnx.export(wrapper, args, path, input_names=list(names),
                      output_names=["logits", "last_hidden_state"], dynamic_axes=dynamic, opset_version=17,
                      dynamo=False)
    # The exporter restores the module's previous mode afterwards; make sure dropout is off for the references.
    wrapper.eval()
    # Expected outputs: each example alone, unpadded, as a user would see it from torch.
    examples = []
    with torch.no_grad():
        for row, n in enumerate(lengths):
            alone = tuple(feeds[k][row:row + 1, :n] for k in names)
            logits, hidden = wrapper(*alone)
            examples.append({
                "inputs": {k: feeds[k][row, :n].tolist() for k in names},
                "logits": logits[0].tolist(),
                "last_hidden_state_first_token": hidden[0, 0].tolist(),
            })
    with open(f"{out_dir}/{name}.expected.json", "w") as f:
        json.dump({"model": name, "pad_id": pad_id, "torch": torch.__version__,
                   "transformers": transformers.__version__, "examples": examples}, f, indent=1)


def main(out_dir):
    torch.manual_seed(0)
    bert = BertForSequenceClassification(BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
                                                    num_attention_heads=2, intermediate_size=64,
                                                    max_position_embeddings=64, num_labels=3))
    export("bert", bert, ["input_ids", "attention_mask", "token_type_ids"], 0, out_dir)
    torch.manual_seed(0)
    distil = DistilBertForSequenceClassification(DistilBertConfig(vocab_size=100, dim=32, n_layers=2, n_heads=2,
                                                                  hidden_dim=64, max_position_embeddings=64,
                                                                  num_labels=3))
    export("distilbert", distil, ["input_ids", "attention_mask"], 0, out_dir)
    torch.manual_seed(0)
    roberta = RobertaForSequenceClassification(RobertaConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
                                                             num_attention_heads=2, intermediate_size=64,
                                                             max_position_embeddings=66, num_labels=3,
                                                             pad_token_id=1, type_vocab_size=1))
    export("roberta", roberta, ["input_ids", "attention_mask"], 1, out_dir)


if __name__ == "__main__":
    main(sys.argv[1])
