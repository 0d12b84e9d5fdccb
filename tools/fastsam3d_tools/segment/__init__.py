"""Segmentation packs for click-to-segment (docs/segmentation-pack.md, format fastsam3d-segpack/1):
the contract's signatures and example inputs (contract.py), the project's small interactive
segmentation network (net.py), ONNX export + manifest (export.py), the validator (validate.py), the
random-weight fixture models/seg-tiny (build_tiny.py), the converter for official SAM checkpoints
(convert_sam.py) and training of models/seg-mini on procedural scenes (data.py, train.py, evaluate.py).
"""

SEGPACK_FORMAT = "fastsam3d-segpack/1"
