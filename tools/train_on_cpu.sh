#!/usr/bin/env bash
# Train the `mini` pack further on this CPU machine until a wall-clock time, unattended:
#
#   tools/train_on_cpu.sh 10:30 [SS_LR] [SLAT_LR]      (UTC time to stop, today or, once past, tomorrow; learning rates default 3e-4)
#
# Runs on tools/.venv-train (tools/setup_train.sh: PyPI torch 2.5, measured 2-14x faster per step here
# than Debian's torch 1.13) when it exists, else tools/.venv. A condition encoder pretrained by
# `train.condition` (tools/checkpoints/condition.pt) newer than the stage-2 checkpoint is installed into
# stage 2 by its first chunk (--condition-from condition); stage 2 then trains it further with the flow.
# SS_BATCH (default 16) sets stage 2's batch per process.
#
# Default: stage 2 (condition encoder + SS flow) on both cores as two data-parallel processes of one
# torch thread each (--procs 2, effective batch 2 × SS_BATCH; train/data_parallel.py), in 20-minute chunks
# that resume from tools/checkpoints/ss_flow.pt; then stage 4 (SLaT flow) for SYNC_MINUTES (default 10) on
# the final condition trunk, so condition.onnx serves both flows (the exporter checks they are bit-equal).
# Why stage 2 gets the cores: the oracle study (models/mini/MODEL_CARD.md, `npm run bench -- --oracle`)
# measured that a perfect SS latent lifts F1 from 50 to 96 with the pack's own SLaT flow and decoders,
# so stage-4 steps beyond the sync buy no benchmark quality.
# SIDE_BY_SIDE=1: the older split — stage 2 on one core, stage 4 on the other, each one process.
# RENDER_COUNT=N: the second core first renders the training cache up to N samples (train.dataset --count
# N, one worker, no shard started in the last 10 minutes) while stage 2 trains on one core; stage 2 picks
# the new shards up at each chunk and takes both cores again once the rendering is done.
# Logs: tools/runs/<stage>.out and <stage>.log.
# Then export: (cd tools && PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.export_mini --version X).
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 HH:MM [SS_LR] [SLAT_LR]   (UTC stop time)" >&2; exit 2; }
TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$TOOLS"
UNTIL=$(date -d "$1" +%s) || exit 2
[ "$UNTIL" -le "$(date +%s)" ] && UNTIL=$(date -d "tomorrow $1" +%s)   # 01:25 asked at 23:49 means tomorrow
SS_LR="${2:-3e-4}"
SLAT_LR="${3:-3e-4}"
SYNC_MINUTES="${SYNC_MINUTES:-10}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=.
PY=.venv/bin/python
[ -x .venv-train/bin/python ] && PY=.venv-train/bin/python
SS_PROCS=2
[ -n "${SIDE_BY_SIDE:-}" ] && SS_PROCS=1
mkdir -p runs
render=
if [ -n "${RENDER_COUNT:-}" ]; then
  render_min=$(( (UNTIL - $(date +%s)) / 60 - 10 ))
  "$PY" -m fastsam3d_tools.train.dataset --count "$RENDER_COUNT" --workers 1 --minutes $(( render_min > 0 ? render_min : 0 )) \
    >> runs/dataset.out 2>&1 & render=$!
fi

chunks() {   # stage, reserve minutes, flags… — 20-minute chunks until UNTIL minus the reserve
  local stage=$1 reserve=$2; shift 2
  while true; do
    local left=$(( (UNTIL - $(date +%s)) / 60 - reserve ))
    [ $left -lt 2 ] && break
    local init=()
    if [ "$stage" = ss_flow ] && [ checkpoints/condition.pt -nt checkpoints/ss_flow.pt ]; then
      init=(--condition-from condition)      # a freshly pretrained encoder: install it once
    fi
    if [ "$stage" = ss_flow ]; then          # one core while the renderer has the other
      local procs=$SS_PROCS
      [ -n "$render" ] && kill -0 "$render" 2>/dev/null && procs=1
      init+=(--procs "$procs" --batch "${SS_BATCH:-16}")
    fi
    "$PY" -m fastsam3d_tools.train.$stage --minutes $(( left < 20 ? left : 20 )) --threads 1 "${init[@]}" "$@" \
      >> runs/$stage.out 2>&1 || { echo "$stage failed, see tools/runs/$stage.out" >&2; return 1; }
  done
}

reserve=0
[ "$SS_PROCS" = 2 ] && reserve=$SYNC_MINUTES        # the cores go to the final stage-4 sync at the end
chunks ss_flow "$reserve" --lr "$SS_LR" & ss=$!
second=none s2=0
if [ -n "$render" ]; then
  second=dataset other=$render
elif [ -n "${SIDE_BY_SIDE:-}" ]; then
  second=slat_flow
  chunks slat_flow 0 --sync-condition --lr "$SLAT_LR" & other=$!
fi
wait $ss; s1=$?
[ "$second" != none ] && { wait $other; s2=$?; }
"$PY" -m fastsam3d_tools.train.slat_flow --minutes "$SYNC_MINUTES" --threads 1 --procs "$SS_PROCS" --sync-condition \
  --lr "$SLAT_LR" >> runs/slat_flow.out 2>&1
s3=$?
echo "train_on_cpu: done $(date -u +%H:%M) (exit ss_flow $s1, $second $s2, final sync $s3)"
exit $(( s1 || s2 || s3 ))
