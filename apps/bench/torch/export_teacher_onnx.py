"""Exports the PyTorch twin of the zoo `cnn-teacher` to ONNX, for the speed suite's ONNX Runtime figure.

The net is `teacher()` of packages/wasm-kernels/bench/torch_nets.py (the PyTorch anchor's twin),
in eval mode with PyTorch's default init (seeded; weights don't matter for speed), exported as
packages/onnx/fixtures/make_fixture.py exports its fixture: NCHW input `images` [N, 1, 28, 28],
output `logits` [N, 10], dynamic batch axis, opset 13, constant folding. Generated at bench time
(a float32 export is ~7 MB), never committed. Benchmarks only: never run by tests.
Prints one JSON line: the path, its size, the twin's parameter counts and the torch version.
Run:   /usr/bin/python3 apps/bench/torch/export_teacher_onnx.py OUT.onnx [--seed N]
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../packages/wasm-kernels/bench"))
from torch_nets import teacher  # noqa: E402

OPSET = 13


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="path of the .onnx file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    net = teacher().eval()
    trainable = sum(p.numel() for p in net.parameters())
    # Batch-norm running statistics: kdkit counts them as (non-trainable) weights of the zoo net.
    running = sum(b.numel() for name, b in net.named_buffers() if name.endswith(("running_mean", "running_var")))
    torch.onnx.export(
        net,
        torch.zeros(1, 1, 28, 28),
        args.out,
        input_names=["images"],
        output_names=["logits"],
        dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    print(
        json.dumps(
            {
                "model": "cnn-teacher",
                "path": os.path.abspath(args.out),
                "bytes": os.path.getsize(args.out),
                "params": trainable + running,
                "trainable_params": trainable,
                "opset": OPSET,
                "seed": args.seed,
                "torch": torch.__version__,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
