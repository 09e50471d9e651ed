#!/usr/bin/env bash
# Render one sample of every printed sheet and convert it to PNG for a person to look at:
# a village notice, the county pack's first page, the household leaflet and a sheet of cards,
# for each sample jurisdiction. Output: samples/print-png/ (ignored by git).
#   scripts/render-samples.sh [DPI]     (default 50; 100 to read the small print)
set -euo pipefail
cd "$(dirname "$0")/.."
dpi=${1:-50}
out=samples/print-png
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/python build.py print --preview --out "$work"
rm -rf "$out" && mkdir -p "$out"
for dir in "$work"/*/print; do
    jid=$(basename "$(dirname "$dir")")
    notice=$(ls "$dir"/notice-*.pdf | head -1)
    cards=$(ls "$dir"/cards-*.pdf | head -1)
    pdftoppm -png -r "$dpi" "$notice" "$out/$jid-notice"
    pdftoppm -png -r "$dpi" -f 1 -l 1 "$dir/county-pack.pdf" "$out/$jid-county-pack"
    pdftoppm -png -r "$dpi" "$dir/leaflet.pdf" "$out/$jid-leaflet"
    pdftoppm -png -r "$dpi" "$cards" "$out/$jid-cards"
done
ls -1 "$out"
