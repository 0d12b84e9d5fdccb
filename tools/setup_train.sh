#!/usr/bin/env bash
# Create tools/.venv-train: PyPI torch 2.5.1 (+ numpy, pillow) for the training scripts, from
# tools/requirements-train.txt (why: see that file). About 5 GB (the Linux wheel brings CUDA libraries),
# a few minutes on a registry mirror. CI and the parity tests do not need it (they use tools/.venv).
# Usage: tools/setup_train.sh        then e.g. tools/train_on_cpu.sh 14:00 (uses .venv-train when present)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PY=${PYTHON:-python3}
if [[ ! -x "$here/.venv-train/bin/python" ]]; then
  echo "setup_train.sh: creating $here/.venv-train from $PY"
  "$PY" -m venv "$here/.venv-train"
fi
"$here/.venv-train/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements-train.txt"
"$here/.venv-train/bin/python" -c "import torch, numpy; print(f'setup_train.sh: torch {torch.__version__}, numpy {numpy.__version__}')"
