#!/usr/bin/env python3
"""The PyTorch eager reference for the student's training step.

The same BERT-style student as the DJL one (BertStudent / EncoderLayer): word + position + token type embeddings,
LayerNorm, dropout; post-LN encoder layers (self-attention with an additive mask bias of -10000, no dropout on the
attention probabilities, dropout on the attention output and on the feed-forward output, exact erf GELU); a tanh
pooler over the first token, dropout, a linear classifier. One step = forward, cross-entropy, backward, global-norm
clipping, AdamW. Random token batches (every position a real token), one fixed seed.

Prints one JSON line: examples_per_second over the timed steps (after the warm-up), and what ran them. With
--serve it stays up after the warm-up (a first JSON line with "ready") and times as many steps as each line of
standard input asks for, one JSON line each, until the input ends: a caller can then take turns with its own
measurements without paying for the start of Python and torch again.
Usage: student_step.py --layers 2 --hidden 128 --heads 2 --intermediate 512 --seq 128 --batch 32 --threads 1
       --steps 20 --warmup 3 [--vocab 30522 --labels 2 --dropout 0.1 --lr 5e-4 --weight-decay 0.01 --clip-norm 1]
       [--serve]
Exits 3 (one line on stderr) when torch cannot be imported.
"""
import argparse
import json
import math
import os
import sys
import time

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as missing:  # the caller tells the user how to install it
    print("student_step.py: torch is not importable here (%s)" % missing, file=sys.stderr)
    sys.exit(3)


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate, dropout):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def heads_first(self, x):
        b, s, h = x.shape
        return x.view(b, s, self.heads, h // self.heads).transpose(1, 2)

    def forward(self, x, mask_bias):
        b, s, h = x.shape
        q = self.heads_first(self.query(x))
        k = self.heads_first(self.key(x))
        v = self.heads_first(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + mask_bias
        context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, h)
        x = self.attention_norm(x + self.dropout(self.attention_output(context)))
        inner = F.gelu(self.intermediate(x))
        return self.output_norm(x + self.dropout(self.output(inner)))


class Student(nn.Module):
    def __init__(self, vocab, hidden, layers, heads, intermediate, max_length, labels, dropout):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_length, hidden)
        self.token_type_embeddings = nn.Embedding(2, hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(Layer(hidden, heads, intermediate, dropout) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)
        self.classifier = nn.Linear(hidden, labels)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, ids, mask, types):
        seq = ids.shape[1]
        x = self.word_embeddings(ids) + self.token_type_embeddings(types) + self.position_embeddings.weight[:seq]
        x = self.dropout(self.embedding_norm(x))
        mask_bias = ((1.0 - mask.float()) * -10000.0).view(ids.shape[0], 1, 1, seq)
        for layer in self.layers:
            x = layer(x, mask_bias)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return self.classifier(self.dropout(pooled)), pooled


def blas_library():
    """The BLAS shared object this process loaded (Linux), to tell OpenBLAS from the slow reference BLAS."""
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
        return sorted(names)
    except OSError:
        return []


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in [("layers", 2), ("hidden", 128), ("heads", 2), ("intermediate", 512), ("seq", 128),
                          ("batch", 32), ("threads", 1), ("steps", 20), ("warmup", 3), ("vocab", 30522),
                          ("labels", 2), ("seed", 42)]:
        p.add_argument("--" + name, type=int, default=default)
    for name, default in [("dropout", 0.1), ("lr", 5e-4), ("weight-decay", 0.01), ("clip-norm", 1.0)]:
        p.add_argument("--" + name, type=float, default=default)
    p.add_argument("--serve", action="store_true")
    a = p.parse_args()
    if min(a.layers, a.hidden, a.heads, a.intermediate, a.seq, a.batch, a.threads, a.steps) < 1 or a.warmup < 0 \
            or a.hidden % a.heads:
        p.error("sizes, --threads and --steps must be >= 1, --warmup >= 0, and --heads must divide --hidden")
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already fixed in this process
    torch.manual_seed(a.seed)
    model = Student(a.vocab, a.hidden, a.layers, a.heads, a.intermediate, a.seq, a.labels, a.dropout)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay, eps=1e-8)
    generator = torch.Generator().manual_seed(a.seed)
    batches = []
    for _ in range(4):
        ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=generator)
        batches.append((ids, torch.ones_like(ids), torch.zeros_like(ids),
                        torch.randint(0, a.labels, (a.batch,), generator=generator)))

    def step(i):
        ids, mask, types, labels = batches[i % len(batches)]
        optimizer.zero_grad()  # the default of the installed torch, as a user would write it
        logits, _ = model(ids, mask, types)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip_norm)
        optimizer.step()
        return loss.item()

    done = 0
    for _ in range(a.warmup):
        step(done)
        done += 1

    def measure(steps):
        nonlocal done
        started = time.perf_counter()
        loss = float("nan")
        for _ in range(steps):
            loss = step(done)
            done += 1
        seconds = time.perf_counter() - started
        return {"examples_per_second": steps * a.batch / seconds, "steps": steps, "seconds": seconds,
                "last_loss": loss if math.isfinite(loss) else None}

    facts = {"threads": torch.get_num_threads(), "torch_version": torch.__version__,
             "parameters": sum(t.numel() for t in model.parameters()),
             "blas": [os.path.basename(n) for n in blas_library()]}
    if not a.serve:
        print(json.dumps({**measure(a.steps), **facts}), flush=True)
        return
    print(json.dumps({"ready": True, **facts}), flush=True)
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(measure(int(line))), flush=True)


if __name__ == "__main__":
    main()
