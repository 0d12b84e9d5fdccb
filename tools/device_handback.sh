#!/usr/bin/env bash
# Carry training checkpoints and logs back from a lent GPU machine through the device tool's `$OUT`, which
# returns at most 8 files of at most 16 MiB each, 64 MiB together (.library/device/README.md, "Limits"), and
# leaves out whatever does not fit without failing the call. One tar in 15 MiB parts with checksums: a
# checkpoint of a wider config (--config mini-full) can pass 16 MiB, and a part left out or cut short is
# caught here instead of installing a broken checkpoint.
#
#   bash tools/device_handback.sh pack OUT_DIR FILE...   (on the device; FILE relative to tools/)
#       → OUT_DIR/handback.tar.part-aa, -ab, … and OUT_DIR/handback.sha256
#   bash tools/device_handback.sh unpack FILES_DIR       (here, after the call)
#       → checkpoints replace tools/<FILE>, logs (runs/*.log) are appended to tools/<FILE>: a log is the
#         stage's history, and the device's holds only its own steps. Nothing changes unless every file
#         checks out.
set -euo pipefail

TOOLS="${HANDBACK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"   # HANDBACK_ROOT: for the tests
PART_BYTES=$((15 * 1024 * 1024))
MAX_BYTES=$((60 * 1024 * 1024))   # of the 64 MiB returned, the rest is for handback.sha256 and the run's log
die() { echo "device_handback.sh: $*" >&2; exit 1; }

case "${1:-}" in
  pack)
    [ $# -ge 2 ] || die "usage: $0 pack OUT_DIR FILE..."
    out="$(mkdir -p "$2" && cd "$2" && pwd)"
    shift 2
    rm -f "$out"/handback.tar.part-* "$out/handback.sha256"
    [ $# -ge 1 ] || die "nothing to hand back"
    cd "$TOOLS"
    for f in "$@"; do
      case "$f" in /* | ../* | */../* | */..) die "$f: give paths inside $TOOLS, relative to it" ;; esac
      [ -f "$f" ] || die "no file $f under $TOOLS"
    done
    total=$(cat "$@" | wc -c)
    [ "$total" -le "$MAX_BYTES" ] \
      || die "$total bytes are more than the device returns ($MAX_BYTES beside the log); hand back fewer stages per call"
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
      case "$f" in
        runs/*.log) cat "$stage/$f" >> "$TOOLS/$f"; echo "device_handback.sh: appended to tools/$f" ;;
        *) install -m 644 "$stage/$f" "$TOOLS/$f"; echo "device_handback.sh: tools/$f" ;;
      esac
    done < "$from/handback.sha256"
    ;;
  *) die "usage: $0 pack OUT_DIR FILE... | unpack FILES_DIR" ;;
esac
