#!/usr/bin/env bash
# Train the `mini` pack further on this CPU machine until a wall-clock time, unattended:
#
#   tools/train_on_cpu.sh 10:30 [SS_LR] [SLAT_LR]      (UTC time to stop; learning rates default 3e-4)
#
# Runs on tools/.venv-train (tools/setup_train.sh: PyPI torch 2.5, measured 2-14x faster per step here
# than Debian's torch 1.13) when it exists, else tools/.venv. A condition encoder pretrained by
# `train.condition` (tools/checkpoints/condition.pt) newer than the stage-2 checkpoint is installed into
# stage 2 by its first chunk (--condition-from condition); stage 2 then trains it further with the flow.
# SS_BATCH (default 16) sets stage 2's batch.
#
# Stage 2 (condition encoder + SS flow) and stage 4 (SLaT flow) train side by side, one torch thread each:
# on the 2-core machine one thread per process measured 2-3x faster per step than two threads in one
# process (models/mini/MODEL_CARD.md). Each runs in 20-minute chunks that resume from
# tools/checkpoints/<stage>.pt; every stage-4 chunk re-syncs the condition trunk from stage 2, and after
# stage 2 stops, stage 4 runs one more 8-minute chunk on the final trunk so condition.onnx serves both
# flows (the exporter checks they are bit-equal). Logs: tools/runs/<stage>.out and <stage>.log.
# RENDER_COUNT=N: the second core renders more training samples (train.dataset --count N, one worker, no
# shard started in the last 10 minutes) instead of running stage 4; stage 2 picks the new shards up at
# each chunk, and the final stage-4 chunk then lasts SYNC_MINUTES (default 8). Why: stage 2 memorised the
# layouts of the 3,100-sample cache (train.probe_overfit), so data is worth more than stage-4 steps.
# Then export: (cd tools && PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.export_mini --version X).
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 HH:MM [SS_LR] [SLAT_LR]   (UTC stop time)" >&2; exit 2; }
TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$TOOLS"
UNTIL=$(date -d "$1" +%s) || exit 2
SS_LR="${2:-3e-4}"
SLAT_LR="${3:-3e-4}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=.
PY=.venv/bin/python
[ -x .venv-train/bin/python ] && PY=.venv-train/bin/python
SS_FLAGS=(--batch "${SS_BATCH:-16}")
mkdir -p runs

chunks() {   # stage, flags… — 20-minute chunks until UNTIL
  local stage=$1; shift
  while true; do
    local left=$(( (UNTIL - $(date +%s)) / 60 ))
    [ $left -lt 2 ] && break
    local init=()
    if [ "$stage" = ss_flow ] && [ checkpoints/condition.pt -nt checkpoints/ss_flow.pt ]; then
      init=(--condition-from condition)      # a freshly pretrained encoder: install it once
    fi
    "$PY" -m fastsam3d_tools.train.$stage --minutes $(( left < 20 ? left : 20 )) --threads 1 "${init[@]}" "$@" \
      >> runs/$stage.out 2>&1 || { echo "$stage failed, see tools/runs/$stage.out" >&2; return 1; }
  done
}

chunks ss_flow "${SS_FLAGS[@]}" --lr "$SS_LR" & ss=$!
second=slat_flow
if [ -n "${RENDER_COUNT:-}" ]; then
  second=dataset
  render_min=$(( (UNTIL - $(date +%s)) / 60 - 10 ))
  "$PY" -m fastsam3d_tools.train.dataset --count "$RENDER_COUNT" --workers 1 --minutes $(( render_min > 0 ? render_min : 0 )) \
    >> runs/dataset.out 2>&1 & slat=$!
else
  chunks slat_flow --sync-condition --lr "$SLAT_LR" & slat=$!
fi
wait $ss; s1=$?
wait $slat; s2=$?
"$PY" -m fastsam3d_tools.train.slat_flow --minutes "${SYNC_MINUTES:-8}" --threads 1 --sync-condition --lr "$SLAT_LR" \
  >> runs/slat_flow.out 2>&1
s3=$?
echo "train_on_cpu: done $(date -u +%H:%M) (exit ss_flow $s1, $second $s2, final sync $s3)"
exit $(( s1 || s2 || s3 ))
