#!/usr/bin/env bash
# Benchmarks of the static binary: start-to-initialize time (hyperfine) and peak RSS
# (/usr/bin/time). Prints numbers; asserts nothing.
set -euo pipefail
BIN=${1:?usage: bench.sh PATH-TO-BINARY}
BIN=$(realpath "$BIN")
# Re-run in a clean environment with one configured Cloud site per product (no network is used),
# so the measured command is the binary alone.
if [ -z "${BENCH_INNER:-}" ]; then
  exec env -i BENCH_INNER=1 PATH=/usr/bin:/bin HOME="$HOME" \
    JIRA_URL=https://bench.atlassian.net JIRA_USERNAME=bench@example.com JIRA_API_TOKEN=bench \
    CONFLUENCE_URL=https://bench.atlassian.net/wiki CONFLUENCE_USERNAME=bench@example.com \
    CONFLUENCE_API_TOKEN=bench "$0" "$BIN"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
printf '%s\n' "$init" > "$work/init.jsonl"
printf '%s\n%s\n%s\n' "$init" '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' > "$work/list.jsonl"
cd "$work"

echo "== binary"
echo "size: $(stat -c %s "$BIN") bytes ($(file -b "$BIN" | cut -d, -f1-2))"

echo "== start-to-initialize (process start, initialize answered, exit on EOF)"
hyperfine --style basic --warmup 20 --runs 300 --export-json "$work/h.json" \
  "$BIN < $work/init.jsonl > /dev/null" | grep -E 'Time|Range' || true
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"start-to-initialize: mean {r['mean']*1000:.2f} ms, median {r['median']*1000:.2f} ms, min {r['min']*1000:.2f} ms")
PY

echo "== peak RSS"
for f in init list; do
  rss=$(/usr/bin/time -f '%M' "$BIN" < "$work/$f.jsonl" 2>&1 >/dev/null | tail -n1)
  echo "peak RSS after ${f/list/tools\/list}: ${rss} KB"
done
bytes=$("$BIN" < "$work/list.jsonl" | tail -n1 | wc -c)
echo "tools/list response: ${bytes} bytes"
