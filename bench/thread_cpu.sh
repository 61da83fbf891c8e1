#!/usr/bin/env bash
# Splits a server's CPU time per thread into user and kernel time under pipelined load: starts the app
# pinned to CPU 0 (one I/O thread, its access log in the build folder), warms it up for 2 s, then runs
# wrk on CPU 1 for DURATION seconds (default 5) and prints, per thread with any CPU time, the user and
# system microseconds per request wrk completed.
# Usage: bench/thread_cpu.sh [PATH]   (default /plaintext; AEGIS_APP chooses the binary, default the
# Release example; $AEGIS_BUILD_DIR/release/bench/aegis_bench_bare is the bare router)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${AEGIS_BUILD_DIR:-$root/build}
[[ $build = /* ]] || build=$root/$build
path=${1:-/plaintext}
port=${PORT:-18095}
duration=${DURATION:-5}
app=${AEGIS_APP:-$build/release/examples/aegis_example}
mkdir -p "$build/bench"
log=$build/bench/thread-cpu-access.log
db=$build/bench/thread-cpu.db
rm -f "$log" "$db"*
AEGIS_HOST=127.0.0.1 AEGIS_PORT=$port AEGIS_WORKERS=1 AEGIS_ACCESS_LOG_FILE=$log \
  AEGIS_DATABASE_URL="sqlite:///$db" taskset -c 0 "$app" >"$build/bench/thread-cpu-server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log" "$db"*' EXIT
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.2; done
wrk_run() {
  taskset -c 1 wrk -t1 -c256 -d"$1" -s "$root/bench/wrk/pipeline.lua" "http://127.0.0.1:$port" -- "$path" 16
}
wrk_run 2s >/dev/null
# name utime stime (clock ticks) for every thread of the server
snapshot() { for t in /proc/$pid/task/*; do echo "$t $(awk '{print $14, $15}' "$t/stat")"; done; }
before=$(snapshot)
out=$(wrk_run "${duration}s")
after=$(snapshot)
requests=$(awk '/requests in/ { print $1 }' <<<"$out")
echo "$requests requests in ${duration}s"
ticks=$(getconf CLK_TCK)
join <(sort <<<"$before") <(sort <<<"$after") | while read -r task u0 s0 u1 s1; do
  du=$((u1 - u0)) ds=$((s1 - s0))
  ((du + ds > 0)) || continue
  awk -v name="$(cat "$task/comm" 2>/dev/null || echo gone)" -v id="${task##*/}" -v du=$du -v ds=$ds \
      -v n="$requests" -v hz="$ticks" \
      'BEGIN { printf "thread %-8s %-16s user %.3f us/req  system %.3f us/req\n", id, name, du / hz * 1e6 / n, ds / hz * 1e6 / n }'
done
