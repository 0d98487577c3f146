#!/usr/bin/env bash
# Copies one ovn-lab run (../shared/tools/ovn-lab/run-lab.sh OUTDIR) into test/fixtures/lab/NAME:
# per scenario and chassis the genuine daemon logs, gzipped, plus the Southbound ground truth.
# Usage: scripts/import-lab-run.sh OUTDIR NAME
set -euo pipefail
src=$1; name=$2
dst="$(dirname "$0")/../test/fixtures/lab/$name"
rm -rf "$dst"; mkdir -p "$dst"
cp "$src/versions.json" "$dst/"
for sc in "$src"/scenarios/*/; do
  s=$(basename "$sc")
  for f in "$sc"*/*.log; do
    [ -f "$f" ] || continue
    node=$(basename "$(dirname "$f")")
    mkdir -p "$dst/$s/$node"
    gzip -9n -c "$f" > "$dst/$s/$node/$(basename "$f").gz"
  done
  [ -f "$sc/ground_truth.json" ] && cp "$sc/ground_truth.json" "$dst/$s/"
done
du -sh "$dst"
