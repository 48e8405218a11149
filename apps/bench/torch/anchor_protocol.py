"""The issue-9 anchor protocol in PyTorch, on this machine: a cross-check for the bench app.

Teacher 4 epochs (seed 0, cached per init), students 12 epochs, Adam 1e-3, cosine per step to 0,
batch 128, Hinton loss with cached teacher logits (T=4, alpha=0.9). Transfer set with 10% labelled:
10% stratified per class; the scratch student trains on those images alone for as many steps as
the KD student (--few-label-scratch-epochs to change), the KD student on all of them (hard loss on
the labelled ones only). Nets come from packages/wasm-kernels/bench/torch_nets.py.

Both students run for every seed (--runs scratch,kd), under every init in --inits: torch is
PyTorch's default init (as the anchor), kdkit is kdkit's zoo init (He-normal truncated convs,
Glorot-uniform dense, zero bias), to tell init apart from the trainer. Each seed's scratch and KD
students share init and batch order, so KD - scratch can be paired by seed. 5 seeds by default.
Prints one JSON line per run (redirect to a .jsonl next to the report it checks). Benchmarks only:
never run by tests or CI.
Run:   /usr/bin/python3 apps/bench/torch/anchor_protocol.py > anchor.jsonl
Smoke: /usr/bin/python3 apps/bench/torch/anchor_protocol.py --seeds 0 --threads 1 \
         --train-limit 1000 --test-limit 500 --teacher-epochs 1 --student-epochs 1 --cache /tmp/anchor
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../packages/wasm-kernels/bench"))
from torch_nets import DATA, read_idx, student, teacher  # noqa: E402


def load(split, limit=None):
    prefix = "train" if split == "train" else "t10k"
    _, pixels = read_idx(os.path.join(DATA, f"{prefix}-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(DATA, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.frombuffer(bytearray(pixels), dtype=torch.uint8).float().div(255).view(-1, 1, 28, 28)
    y = torch.frombuffer(bytearray(labels), dtype=torch.uint8).long()
    if limit:
        x, y = x[:limit], y[:limit]
    return x.contiguous(memory_format=torch.channels_last), y


def kdkit_init(net):
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            std = math.sqrt(2.0 / (m.in_channels * m.kernel_size[0] * m.kernel_size[1]))
            nn.init.trunc_normal_(m.weight, std=std, a=-2 * std, b=2 * std)
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
            nn.init.zeros_(m.bias)


def make(factory, seed, init):
    torch.manual_seed(seed)
    net = factory()
    if init == "kdkit":
        kdkit_init(net)
    return net


def train(net, x, y, epochs, seed, soft=None, temperature=4.0, alpha=0.9):
    """y: labels, -1 = unlabelled (hard loss skips it). soft: teacher logits for KD."""
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    steps = epochs * math.ceil(len(x) / 128)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(len(x), generator=order).split(128):
            logits = net(x[idx])
            labels = y[idx]
            known = labels >= 0
            hard = F.cross_entropy(logits[known], labels[known]) if known.any() else logits.sum() * 0
            if soft is None:
                loss = hard
            else:
                t = soft[idx]
                kl = F.kl_div(F.log_softmax(logits / temperature, -1), F.log_softmax(t / temperature, -1),
                              reduction="batchmean", log_target=True)
                loss = alpha * temperature**2 * kl + (1 - alpha) * hard
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    return net


@torch.no_grad()
def predict(net, x):
    net.eval()
    return torch.cat([net(x[i : i + 1000]) for i in range(0, len(x), 1000)])


def few_labels(y, fraction, seed):
    g = torch.Generator().manual_seed(1000 + seed)
    masked = torch.full_like(y, -1)
    for c in range(10):
        where = (y == c).nonzero().flatten()
        keep = where[torch.randperm(len(where), generator=g)[: round(len(where) * fraction)]]
        masked[keep] = c
    return masked


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--inits", default="torch,kdkit", help="comma-separated: torch (PyTorch default), kdkit (zoo init)")
    p.add_argument("--init", choices=["torch", "kdkit"], help="one init only (same as --inits NAME)")
    p.add_argument("--seeds", default="0,1,2,3,4")
    p.add_argument("--label-fractions", default="1,0.1")
    p.add_argument("--runs", default="scratch,kd")
    p.add_argument("--temperature", type=float, default=4.0)
    p.add_argument("--alpha", type=float, default=0.9)
    p.add_argument("--teacher-epochs", type=int, default=4)
    p.add_argument("--student-epochs", type=int, default=12)
    p.add_argument("--few-label-scratch-epochs", type=int, default=None,
                   help="scratch epochs on the labelled images (default: as many steps as the KD student)")
    p.add_argument("--train-limit", type=int, default=None, help="first n training images (smoke runs)")
    p.add_argument("--test-limit", type=int, default=None, help="first n test images (smoke runs)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cache", default=os.path.join(os.path.dirname(__file__), "../results/torch-teacher"))
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    x, y = load("train", a.train_limit)
    xt, yt = load("test", a.test_limit)
    runs = a.runs.split(",")
    inits = [a.init] if a.init else a.inits.split(",")
    for init in inits:
        if init not in ("torch", "kdkit"):
            p.error(f"unknown init '{init}'; expected torch or kdkit")

    for init in inits:
        base = {"torch": torch.__version__, "threads": a.threads, "init": init, "student_epochs": a.student_epochs,
                "teacher_epochs": a.teacher_epochs, "train_images": len(x), "test_images": len(xt)}
        logits = None
        if "kd" in runs:
            limit = f"-n{len(x)}" if a.train_limit else ""
            path = os.path.join(a.cache, f"teacher-{init}-e{a.teacher_epochs}{limit}.pt")
            t = make(teacher, 0, init)
            start = time.time()
            if os.path.exists(path):
                t.load_state_dict(torch.load(path))
            else:
                train(t, x, y, a.teacher_epochs, 0)
                os.makedirs(a.cache, exist_ok=True)
                torch.save(t.state_dict(), path + ".tmp")
                os.replace(path + ".tmp", path)
            acc = (predict(t, xt).argmax(1) == yt).float().mean().item()
            print(json.dumps({**base, "run": "teacher", "accuracy": acc, "seconds": round(time.time() - start)}), flush=True)
            logits = predict(t, x)

        for fraction in [float(f) for f in a.label_fractions.split(",")]:
            scratch_epochs = a.student_epochs if fraction == 1 else (
                a.few_label_scratch_epochs or max(1, round(a.student_epochs / fraction)))
            for seed in [int(s) for s in a.seeds.split(",")]:
                labels = y if fraction == 1 else few_labels(y, fraction, seed)
                for run in runs:
                    start = time.time()
                    net = make(student, seed, init)
                    if run == "scratch":
                        known = labels >= 0
                        train(net, x[known], labels[known], scratch_epochs, seed)
                        extra = {"epochs": scratch_epochs}
                    else:
                        train(net, x, labels, a.student_epochs, seed, soft=logits,
                              temperature=a.temperature, alpha=a.alpha)
                        extra = {"epochs": a.student_epochs, "temperature": a.temperature, "alpha": a.alpha}
                    acc = (predict(net, xt).argmax(1) == yt).float().mean().item()
                    print(json.dumps({**base, **extra, "run": run, "label_fraction": fraction, "seed": seed,
                                      "accuracy": acc, "seconds": round(time.time() - start)}), flush=True)


if __name__ == "__main__":
    main()
