#!/usr/bin/env bash
# make demo: the main job on embedded defaults, in ./demo/ (recreated each run).
set -euo pipefail
bt=${1:-bin/batchtool}
cd "$(dirname "$0")/.."
rm -rf demo && mkdir -p demo

day=$(date -u -d '+5 days' +%F 2>/dev/null || date -u -v+5d +%F)

echo "== 1. build a SEPA Direct Debit batch from testdata/due.csv (collection date $day)"
"$bt" collect build --in testdata/due.csv --creditor testdata/creditor.json \
  --collection-date "$day" --out demo/batch.xml
echo
echo "== 2. inspect it"
"$bt" inspect demo/batch.xml
echo
echo "== 3. a file with bad rows: nothing is written, every bad row is named"
"$bt" collect build --in testdata/due-bad.csv --creditor testdata/creditor.json \
  --collection-date "$day" --out demo/bad.xml || echo "(exit code $?: nothing written: $(ls demo/bad.xml 2>/dev/null || echo no demo/bad.xml))"
