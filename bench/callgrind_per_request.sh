#!/usr/bin/env bash
# Counts user-space instructions per request of the Release example app with callgrind: warms up, zeroes
# the counters, sends an exact number of requests (pipelined, depth 16) over one connection, dumps.
# Usage: bench/callgrind_per_request.sh [PATH [JSON-BODY]]   (default: /plaintext; a body makes it a POST)
# AEGIS_APP chooses the binary (default: the Release example; $AEGIS_BUILD_DIR/release/bench/aegis_bench_bare
# is the same endpoints without middleware).
# Prints "<instructions per request>  <path>". Callgrind output stays in $AEGIS_BUILD_DIR/bench/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${AEGIS_BUILD_DIR:-$root/build}
[[ $build = /* ]] || build=$root/$build
path=${1:-/plaintext}
body=${2:-}
requests=${REQUESTS:-20000}
port=${PORT:-18090}
mkdir -p "$build/bench"
out=$build/bench/callgrind.$$
AEGIS_HOST=127.0.0.1 AEGIS_PORT=$port AEGIS_WORKERS=1 AEGIS_LOG_LEVEL=warn AEGIS_DATABASE_URL="sqlite:///$out.db" \
  valgrind --tool=callgrind --callgrind-out-file="$out.%p" "${AEGIS_APP:-$build/release/examples/aegis_example}" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$out".db*' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.2; done
args=(--port "$port" --path "$path" --depth 16)
[[ -n $body ]] && args+=(--json "$body")
/usr/bin/python3 "$root/bench/fixed_requests.py" "${args[@]}" --requests 1000 >/dev/null
callgrind_control -z "$pid" >/dev/null 2>&1
/usr/bin/python3 "$root/bench/fixed_requests.py" "${args[@]}" --requests "$requests" >/dev/null
callgrind_control -d "$pid" >/dev/null 2>&1
total=$(callgrind_annotate "$out.$pid.1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "$((total / requests))  $path"
