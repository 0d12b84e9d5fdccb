"""Fast-SAM3D Studio model tools: the export-friendly module library, ONNX export of model packs,
the random-weight test pack and (in data/, train/) procedural data and training of the mini pack.

Packs follow docs/model-pack.md (format fastsam3d-pack/1) exactly."""

__version__ = "0.1.0"
PACK_FORMAT = "fastsam3d-pack/1"
