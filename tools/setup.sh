#!/usr/bin/env bash
# Recreate the Python environment of tools/ from scratch on a fresh Debian machine:
#   apt:  python3-torch (1.13 CPU) python3-onnx python3-scipy python3-pytest python3-venv
#         libopenblas0-pthread (without it torch falls back to a reference BLAS, ~30× slower)
#   venv: tools/.venv with --system-site-packages (sees the Debian packages above)
#   pip:  onnxruntime==1.20.1 (tools/requirements.txt)
#   segment (SAM checkpoint converter, tools/requirements-segment.txt): apt python3-torchvision,
#         pip segment-anything==1.0 (model code only)
# Usage: tools/setup.sh            (needs root for apt, or the packages already installed)
#        SKIP_APT=1 tools/setup.sh (only (re)create the venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
APT_PACKAGES=(python3-torch python3-onnx libopenblas0-pthread python3-venv python3-pytest python3-scipy python3-pil
              python3-torchvision)

if [[ "${SKIP_APT:-0}" != 1 ]]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup.sh: installing apt packages: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  else
    echo "setup.sh: apt packages present: ${APT_PACKAGES[*]}"
  fi
fi

# Debian's interpreter, not whatever python3 is first on PATH (pyenv shims do not see the apt packages).
PY=/usr/bin/python3
if [[ ! -x "$here/.venv/bin/python" ]]; then
  echo "setup.sh: creating $here/.venv from $PY (with Debian site packages)"
  "$PY" -m venv --system-site-packages "$here/.venv"
fi
if ! "$here/.venv/bin/python" -c "import torch" 2>/dev/null; then
  echo "setup.sh: $here/.venv cannot import torch — it was not made from Debian's $PY with" \
       "--system-site-packages; remove it and run tools/setup.sh again" >&2
  exit 1
fi
"$here/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"
"$here/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements-segment.txt"
"$here/.venv/bin/python" - <<'PY'
import torch, onnx, onnxruntime, numpy, scipy
import segment_anything, torchvision
print(f"setup.sh: torch {torch.__version__}, onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}, "
      f"numpy {numpy.__version__}, scipy {scipy.__version__}, torchvision {torchvision.__version__}, "
      f"segment-anything {getattr(segment_anything, '__version__', '1.0')}")
PY
