"""ONNX export of model packs, the manifest writer, the pack validator and parity checks
(docs/model-pack.md). Names are imported lazily so `python -m fastsam3d_tools.export.validate` and
`… .profile_pack` run their module only once."""
from importlib import import_module

_EXPORTS = {
    "export_pack": "onnx_export", "export_role": "onnx_export",
    "validate_pack": "validate", "PackValidationError": "validate",
    "check_role": "parity",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
