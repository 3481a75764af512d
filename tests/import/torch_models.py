#!/usr/bin/python3
"""ONNX models made by PyTorch's own exporter for trine import's tests (test set-up only:
python3-torch and python3-torchvision, installed by `scripts/setup --tests`). Nothing is
downloaded: weights are random, or trained here on Fashion-MNIST.

Usage: torch_models.py KIND OUT.onnx [--images N] [--epochs E]
  ops       every operator PyTorch emits for trine's layer kinds, random weights, batch norm
            kept as a node (3x32x32 input, normalized as torchvision's Normalize does)
  resnet18  torchvision's ResNet-18, random initial weights, 3x64x64 input
  cnn       a small CNN trained for E epochs on Fashion-MNIST (1x28x28); beside it OUT-qdq.onnx,
            the same network quantized by PyTorch (eager post-training static quantization,
            onednn: per-channel int8 weights, uint8 activations) and exported in the QDQ form
Beside OUT.onnx it writes OUT.pred: one line per test image of Fashion-MNIST (the first N,
fitted to the input as trine fits them: centred on zeros, one channel repeated), `index label
prediction`, PyTorch's float prediction; the first line says the accuracy.
"""
import argparse
import copy
import gzip
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = (0.5, 0.4, 0.3), (0.25, 0.2, 0.3)  # the ops model's normalization


def idx(path):
    with gzip.open(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def fashion(split, limit):
    prefix = "train" if split == "train" else "t10k"
    images = idx(f"{DATA}/{prefix}-images-idx3-ubyte.gz")[:limit]
    labels = idx(f"{DATA}/{prefix}-labels-idx1-ubyte.gz")[:limit]
    return images, labels


def fit(images, channels, size):
    """trine's fit_images: centred on a zero background (an odd margin's extra row or column at
    the bottom or right), the one channel repeated."""
    n, h, w = images.shape
    out = np.zeros((n, channels, size, size), dtype=np.uint8)
    top, left = (size - h) // 2, (size - w) // 2
    out[:, :, top:top + h, left:left + w] = images[:, None, :, :]
    return out


def to_input(pixels, mean=None, std=None):
    x = torch.from_numpy(pixels.astype(np.float32) / 255.0)
    if mean is not None:
        x = (x - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)
    return x


class Ops(nn.Module):
    """Conv+BN+ReLU, a depthwise and a grouped convolution, ReLU6, a padded max pool, a padded
    average pool (PyTorch exports its padding as a Pad), a residual add, a concat, a relu that
    follows a pool, global pooling, flatten, dropout, a linear layer, and MatMul + Add."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU())
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.dw = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.BatchNorm2d(16),
                                nn.ReLU6())
        self.pw = nn.Conv2d(16, 16, 1)
        self.grouped = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1, groups=4), nn.ReLU())
        self.avg = nn.AvgPool2d(3, 1, 1)
        self.head = nn.Linear(24, 12)
        self.drop = nn.Dropout(0.3)
        self.out = nn.Parameter(torch.randn(12, 10) * 0.3)
        self.out_bias = nn.Parameter(torch.randn(10) * 0.1)
        with torch.no_grad():
            for bn in (self.stem[1], self.dw[1]):
                bn.running_mean.uniform_(-0.2, 0.2)
                bn.running_var.uniform_(0.5, 2.0)
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.uniform_(-0.1, 0.3)

    def forward(self, x):
        x = self.pool(self.stem(x))
        y = torch.relu(self.pw(self.dw(x)) + x)
        z = torch.cat([y, self.grouped(y)], 1)
        z = torch.relu(self.avg(z))
        z = torch.flatten(nn.functional.adaptive_avg_pool2d(z, 1), 1)
        z = self.drop(torch.relu(self.head(z)))
        return z @ self.out + self.out_bias


class SmallCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.f(x)


def train(model, epochs):
    images, labels = fashion("train", 60000)
    x, y = to_input(images[:, None]), torch.from_numpy(labels.astype(np.int64))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for b in range(0, len(x), 128):
            i = order[b:b + 128]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[i]), y[i]).backward()
            opt.step()
    model.eval()


class Quantizable(nn.Module):
    def __init__(self, cnn):
        super().__init__()
        self.q, self.f, self.dq = torch.ao.quantization.QuantStub(), cnn.f, torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dq(self.f(self.q(x)))


def quantized(cnn, calib):
    """PyTorch's own post-training static quantization of the trained CNN."""
    import torch.ao.quantization as tq
    torch.backends.quantized.engine = "onednn"
    m = Quantizable(copy.deepcopy(cnn)).eval()
    # Linear + ReLU stay apart: quantized::linear_relu has no ONNX export in PyTorch 1.13.
    tq.fuse_modules(m.f, [["0", "1", "2"], ["4", "5", "6"]], inplace=True)
    m.qconfig = tq.get_default_qconfig("onednn")
    tq.prepare(m, inplace=True)
    with torch.no_grad():
        m(calib)
    return tq.convert(m)


def write_predictions(path, model, images, labels, mean=None, std=None):
    with torch.no_grad():
        pred = model(to_input(images, mean, std)).argmax(1).numpy()
    with open(path, "w") as f:
        f.write(f"# accuracy {100.0 * np.mean(pred == labels):.2f}\n")
        for i, (label, p) in enumerate(zip(labels, pred)):
            f.write(f"{i} {label} {p}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["ops", "resnet18", "cnn"])
    ap.add_argument("out")
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=2)
    a = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(2)
    mean = std = None
    if a.kind == "ops":
        model, channels, size, mean, std = Ops().eval(), 3, 32, MEAN, STD
    elif a.kind == "resnet18":
        model, channels, size = torchvision.models.resnet18(weights=None).eval(), 3, 64
    else:
        model, channels, size = SmallCnn(), 1, 28
        train(model, a.epochs)
    mode = torch.onnx.TrainingMode.PRESERVE if a.kind == "ops" else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(model, torch.zeros(1, channels, size, size), a.out, opset_version=13,
                      training=mode, do_constant_folding=a.kind != "ops",
                      input_names=["image"], output_names=["scores"])
    images, labels = fashion("test", a.images)
    stem = a.out.rsplit(".", 1)[0]
    write_predictions(stem + ".pred", model, fit(images, channels, size), labels, mean, std)
    if a.kind == "cnn":
        q = quantized(model, to_input(fashion("train", 100)[0][:, None]))
        torch.onnx.export(q, torch.zeros(1, 1, 28, 28), stem + "-qdq.onnx", opset_version=13,
                          input_names=["image"], output_names=["scores"])
        write_predictions(stem + "-qdq.pred", q, fit(images, 1, 28), labels)


if __name__ == "__main__":
    sys.exit(main())
