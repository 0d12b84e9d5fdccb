"""fp16 weight storage with casts inside (docs/model-pack.md: "fp32 I/O, weights may be fp16 with casts
inside"): float32 initializers become float16 + a Cast back to float32, so compute and I/O stay fp32 and
the file is about half the size. ONNX Runtime folds the casts when it loads the session."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

MIN_ELEMENTS = 64  # small tensors (biases, norms, constants) stay fp32: no size gain, more rounding risk


def weights_to_fp16(model: onnx.ModelProto, min_elements: int = MIN_ELEMENTS) -> onnx.ModelProto:
    graph = model.graph
    casts = []
    kept = []
    for init in graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or np.prod(init.dims, dtype=np.int64) < min_elements:
            kept.append(init)
            continue
        arr = numpy_helper.to_array(init)
        if np.abs(arr).max(initial=0.0) > 6.0e4:  # would overflow fp16: keep this one exact
            kept.append(init)
            continue
        half = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT,
                                      name=init.name + "__cast"))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model
