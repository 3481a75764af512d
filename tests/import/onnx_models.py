#!/usr/bin/python3
"""ONNX models built node by node with Debian's python3-onnx for trine import's tests (test
set-up only). Usage: onnx_models.py DIR

graph.onnx      every operator trine imports, in one graph with a skip and a concatenation
                (1x16x16 input): Conv (grouped, with and without bias), BatchNormalization,
                Relu fused and alone, Clip to [0, 6] and to [0, inf), MaxPool and AveragePool
                with padding, Pad, GlobalAveragePool, Add, Concat, Flatten, Reshape, Gemm
                (transB 0 and 1, alpha, beta), MatMul + Add, Identity, Dropout, a final Softmax,
                and a Constant node
opset11.onnx    a small chain at opset 11, opset17.onnx the same at 17
unsupported.onnx  two operators trine does not import (Sigmoid, Tanh)
no_input.onnx   a graph whose only input is an initializer
weight_input.onnx a Conv whose weight is a graph input, not a constant
invalid.onnx    a node that reads a tensor nothing defines (the ONNX checker refuses it)
opset9.onnx     a model of an opset outside 11 to 17
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(5)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def weights(name, *shape, scale=0.3):
    return const(name, (rng.standard_normal(shape) * scale).astype(np.float32))


def image(shape=(1, 1, 16, 16)):
    return helper.make_tensor_value_info("image", TensorProto.FLOAT, list(shape))


def scores(n=10):
    return helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, n])


def model(nodes, inits, inputs, outputs, opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7
    return m


def graph_model():
    n, inits = [], []

    def node(op, ins, outs, name, **attrs):
        n.append(helper.make_node(op, ins, outs, name=name, **attrs))

    inits += [weights("w1", 8, 1, 3, 3), weights("b1", 8, scale=0.1),
              const("bn_g", rng.uniform(0.5, 1.5, 8).astype(np.float32)),
              const("bn_b", rng.uniform(-0.1, 0.3, 8).astype(np.float32)),
              const("bn_m", rng.uniform(-0.2, 0.2, 8).astype(np.float32)),
              const("bn_v", rng.uniform(0.5, 2.0, 8).astype(np.float32))]
    node("Conv", ["image", "w1", "b1"], ["c1"], "conv1", pads=[1, 1, 1, 1])
    node("BatchNormalization", ["c1", "bn_g", "bn_b", "bn_m", "bn_v"], ["n1"], "bn1", epsilon=1e-3)
    node("Relu", ["n1"], ["r1"], "relu1")
    node("MaxPool", ["r1"], ["p1"], "pool1", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    node("Identity", ["p1"], ["p1i"], "same")
    # A grouped convolution with Clip(0, 6) (min and max as Constant node and initializer).
    inits += [weights("w2", 8, 2, 3, 3), const("six", np.float32(6.0))]
    node("Constant", [], ["zero"], "zero", value=const("zero_v", np.float32(0.0)))
    node("Conv", ["p1i", "w2"], ["c2"], "grouped", pads=[1, 1, 1, 1], group=4)
    node("Clip", ["c2", "zero", "six"], ["r2"], "relu6")
    # The skip: conv3 (no relu) added to the pool's output, then a relu.
    inits += [weights("w3", 8, 8, 1, 1)]
    node("Conv", ["r2", "w3"], ["c3"], "conv3")
    node("Add", ["c3", "p1i"], ["s"], "add")
    node("Clip", ["s", "zero"], ["sr"], "relu_add")
    # A branch through an explicitly padded average pool, concatenated with the skip.
    inits += [const("padding", np.array([0, 0, 1, 1, 0, 0, 1, 1], dtype=np.int64))]
    node("Pad", ["sr", "padding"], ["sp"], "pad")
    node("AveragePool", ["sp"], ["a"], "avg", kernel_shape=[3, 3])
    node("AveragePool", ["sr"], ["a2"], "avg2", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
         count_include_pad=1)
    node("Concat", ["sr", "a", "a2"], ["cat"], "cat", axis=1)
    node("MaxPool", ["cat"], ["p2"], "pool2", kernel_shape=[2, 2], strides=[2, 2])
    node("Relu", ["p2"], ["p2r"], "relu_alone")
    node("Dropout", ["p2r"], ["p2d"], "drop")
    # Two heads: global pooling + Gemm (transB 1), and Reshape + Gemm (transB 0, alpha, beta).
    inits += [weights("w4", 12, 24), weights("b4", 12, scale=0.1),
              const("shape", np.array([1, -1], dtype=np.int64)), weights("w5", 24 * 4 * 4, 12, scale=0.05),
              weights("b5", 12, scale=0.1)]
    node("GlobalAveragePool", ["p2d"], ["g"], "gap")
    node("Flatten", ["g"], ["gf"], "flat")
    node("Gemm", ["gf", "w4", "b4"], ["h1"], "fc1", transB=1)
    node("Reshape", ["p2d", "shape"], ["flat2"], "reshape")
    node("Gemm", ["flat2", "w5", "b5"], ["h2"], "fc2", alpha=0.5, beta=2.0)
    node("Add", ["h1", "h2"], ["h"], "heads")
    node("Relu", ["h"], ["hr"], "relu_h")
    inits += [weights("w6", 12, 10), weights("b6", 10, scale=0.1)]
    node("MatMul", ["hr", "w6"], ["m"], "linear")
    node("Add", ["m", "b6"], ["logits"], "linear_bias")
    node("Softmax", ["logits"], ["scores"], "softmax", axis=1)
    return model(n, inits, [image()], [scores()])


def chain(opset):
    inits = [weights("w", 4, 1, 3, 3), weights("fc", 10, 4 * 7 * 7), weights("fcb", 10)]
    nodes = [helper.make_node("Conv", ["image", "w"], ["c"], name="conv"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[2, 2],
                              strides=[2, 2]),
             helper.make_node("Flatten", ["p"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "fc", "fcb"], ["scores"], name="fc", transB=1)]
    return model(nodes, inits, [image()], [scores()], opset)


def unsupported():
    inits = [weights("w", 4, 1, 3, 3), weights("fc", 10, 4 * 14 * 14)]
    nodes = [helper.make_node("Conv", ["image", "w"], ["c"], name="conv"),
             helper.make_node("Sigmoid", ["c"], ["s"], name="gate"),
             helper.make_node("Tanh", ["s"], ["t"], name="squash"),
             helper.make_node("Flatten", ["t"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "fc"], ["scores"], name="fc", transB=1)]
    return model(nodes, inits, [image()], [scores()])


def no_input():
    inits = [weights("x", 1, 10), weights("fc", 10, 10)]
    nodes = [helper.make_node("Gemm", ["x", "fc"], ["scores"], name="fc", transB=1)]
    return model(nodes, inits, [], [scores()])


def weight_input():
    w = helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 1, 3, 3])
    inits = [weights("fc", 10, 4 * 14 * 14)]
    nodes = [helper.make_node("Conv", ["image", "w"], ["c"], name="conv"),
             helper.make_node("Flatten", ["c"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "fc"], ["scores"], name="fc", transB=1)]
    return model(nodes, inits, [image(), w], [scores()])


def invalid():
    inits = [weights("fc", 10, 256)]
    nodes = [helper.make_node("Flatten", ["nowhere"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "fc"], ["scores"], name="fc", transB=1)]
    return model(nodes, inits, [image()], [scores()])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    made = {"graph": graph_model(), "opset11": chain(11), "opset17": chain(17),
            "unsupported": unsupported(), "no_input": no_input(),
            "weight_input": weight_input(), "opset9": chain(9)}
    for name, m in made.items():
        if name not in ("invalid",):
            onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, name + ".onnx"))
    onnx.save(invalid(), os.path.join(out, "invalid.onnx"))


if __name__ == "__main__":
    main()
