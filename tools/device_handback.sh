#!/usr/bin/env bash
# Carry training checkpoints back from a lent GPU machine through the device tool's `$OUT`, which returns
# at most 8 files of at most 16 MiB each, 64 MiB together (.library/device/README.md, "Limits"). The SS
# flow's checkpoint alone is 17.3 MiB (weights, EMA and Adam moments), so it would be left out as it is.
#
#   bash tools/device_handback.sh pack OUT_DIR FILE...   (on the device; FILE relative to tools/)
#       → OUT_DIR/handback.tar.part-aa, -ab, … (15 MiB each) and OUT_DIR/handback.sha256
#   bash tools/device_handback.sh unpack FILES_DIR       (here, after the call)
#       → the files back under tools/, each checked against its checksum; nothing is replaced unless
#         every file checks out
set -euo pipefail

TOOLS="${HANDBACK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"   # HANDBACK_ROOT: for the tests
PART_BYTES=$((15 * 1024 * 1024))
MAX_PARTS=6            # leaves two of the eight returned files for handback.sha256 and the run's log
die() { echo "device_handback.sh: $*" >&2; exit 1; }

case "${1:-}" in
  pack)
    [ $# -ge 3 ] || die "usage: $0 pack OUT_DIR FILE..."
    out="$2"; shift 2
    mkdir -p "$out"
    rm -f "$out"/handback.tar.part-* "$out/handback.sha256"
    cd "$TOOLS"
    for f in "$@"; do [ -f "$f" ] || die "no file $f under $TOOLS"; done
    total=$(cat "$@" | wc -c)
    [ "$total" -le $((MAX_PARTS * PART_BYTES - 1024 * 1024)) ] \
      || die "$total bytes do not fit $MAX_PARTS parts of 15 MiB; hand back fewer stages per call"
    sha256sum "$@" > "$out/handback.sha256"
    tar -cf - "$@" | split -b "$PART_BYTES" - "$out/handback.tar.part-"
    echo "device_handback.sh: $# files, $total bytes in $(ls "$out"/handback.tar.part-* | wc -l) parts under $out"
    ;;
  unpack)
    [ $# -eq 2 ] || die "usage: $0 unpack FILES_DIR"
    from="$(cd "$2" && pwd)"
    ls "$from"/handback.tar.part-* >/dev/null 2>&1 || die "no handback.tar.part-* in $from"
    [ -f "$from/handback.sha256" ] || die "no handback.sha256 in $from"
    stage="$(mktemp -d)"
    trap 'rm -rf "$stage"' EXIT
    cat "$from"/handback.tar.part-* | tar -xf - -C "$stage" \
      || die "the parts in $from do not make a whole tar (one missing or cut short?); nothing was replaced"
    (cd "$stage" && sha256sum --quiet -c "$from/handback.sha256") \
      || die "the parts in $from do not reassemble to what was packed; nothing was replaced"
    while read -r _ f; do
      mkdir -p "$TOOLS/$(dirname "$f")"
      install -m 644 "$stage/$f" "$TOOLS/$f"
      echo "device_handback.sh: tools/$f"
    done < "$from/handback.sha256"
    ;;
  *) die "usage: $0 pack OUT_DIR FILE... | unpack FILES_DIR" ;;
esac
