"""ONNX export of model packs, the manifest writer and the pack validator (docs/model-pack.md)."""
from .onnx_export import export_pack, export_role
from .validate import PackValidationError, validate_pack

__all__ = ["export_pack", "export_role", "validate_pack", "PackValidationError"]
