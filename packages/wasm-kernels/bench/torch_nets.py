"""PyTorch twins of the bench nets (the anchor for bench/run.ts, not a dependency).

Prints one JSON line per figure (images/s, batch 128) for the "tuned" setup of the issue:
2 threads, channels_last, flush denormals, OpenBLAS + GLIBC_TUNABLES set by the caller.
Run: /usr/bin/python3 torch_nets.py [--quick] [--figure NAME]
"""
import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
BATCH = 128
T = 4.0
ALPHA = 0.9
QUICK = "--quick" in sys.argv
STEPS = (
    {"teacher_train": 3, "teacher_inference": 5, "student_kd_teacher_forward": 3, "student_kd_cached_logits": 10}
    if QUICK
    else {"teacher_train": 8, "teacher_inference": 16, "student_kd_teacher_forward": 8, "student_kd_cached_logits": 40}
)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return dims, data[4 + 4 * rank :]


def batches(count):
    dims, pixels = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))
    n = count * BATCH
    x = torch.frombuffer(bytearray(pixels[: n * 784]), dtype=torch.uint8).float().div(255).view(n, 1, 28, 28)
    y = torch.frombuffer(bytearray(labels[:n]), dtype=torch.uint8).long()
    x = x.contiguous(memory_format=torch.channels_last)
    return [(x[i * BATCH : (i + 1) * BATCH], y[i * BATCH : (i + 1) * BATCH]) for i in range(count)]


def teacher():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(1, 32), *block(32, 64), nn.MaxPool2d(2), *block(64, 128), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(6272, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10),
    ).to(memory_format=torch.channels_last)


def student():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10),
    ).to(memory_format=torch.channels_last)


def kd_loss(s, t, y):
    kl = F.kl_div(F.log_softmax(s / T, -1), F.log_softmax(t / T, -1), reduction="batchmean", log_target=True)
    return ALPHA * T * T * kl + (1 - ALPHA) * F.cross_entropy(s, y)


def run(figure, data):
    tnet, snet = teacher(), student()
    opt = torch.optim.Adam((tnet if figure == "teacher_train" else snet).parameters(), lr=1e-3)
    cached = []
    if figure == "student_kd_cached_logits":
        tnet.eval()
        with torch.no_grad():
            cached = [tnet(x) for x, _ in data]

    def step(i):
        x, y = data[i % len(data)]
        if figure == "teacher_inference":
            tnet.eval()
            with torch.no_grad():
                tnet(x)
            return
        if figure == "teacher_train":
            tnet.train()
            loss = F.cross_entropy(tnet(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return
        if figure == "student_kd_cached_logits":
            t = cached[i % len(cached)]
        else:
            tnet.eval()
            with torch.no_grad():
                t = tnet(x)
        snet.train()
        loss = kd_loss(snet(x), t, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step(0)
    step(1)
    start = time.perf_counter()
    for i in range(STEPS[figure]):
        step(i + 2)
    seconds = time.perf_counter() - start
    return BATCH * STEPS[figure] / seconds


def main():
    torch.set_num_threads(2)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    data = batches(4)
    setup = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "channels_last": True,
        "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""),
    }
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    with open("/proc/self/maps") as maps:
        setup["blas_loaded"] = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line.lower()})
    only = sys.argv[sys.argv.index("--figure") + 1] if "--figure" in sys.argv else None
    for figure in STEPS:
        if only and figure != only:
            continue
        ips = run(figure, data)
        print(json.dumps({"setup": "torch-tuned", "figure": figure, "batch": BATCH, "steps": STEPS[figure], "images_per_s": round(ips, 1), **setup}), flush=True)


if __name__ == "__main__":
    main()
