#!/usr/bin/env bash
# Runs the whole test suite N times (default 10) with both cores loaded by stress-ng, as CI's
# loaded 2-core machine is, and prints each run's failures and a summary. A test that fails in any
# run is a flake to fix at its cause (no retries; a longer timeout only where it is the honest bound).
#   bash eng/flake-hunt.sh [runs]          LOAD=0 to run without the extra load
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
out="$(mktemp -d -t apitokens-flakes-XXXX)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 APITOKENS_REQUIRE_DEPENDENCIES=1
if [ "${LOAD:-1}" != 0 ] && ! command -v stress-ng >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng >/dev/null
fi
dotnet build -c Release -p:TreatWarningsAsErrors=true -v q --nologo >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
failed_runs=0
for i in $(seq 1 "$runs"); do
  load=""
  if [ "${LOAD:-1}" != 0 ]; then stress-ng --cpu 2 --timeout 3600s >/dev/null 2>&1 & load=$!; fi
  start=$(date +%s)
  dotnet test -c Release --no-build >"$out/run$i.log" 2>&1
  rc=$?
  [ -n "$load" ] && kill "$load" 2>/dev/null && wait "$load" 2>/dev/null
  failures=$(grep -E '^\s+Failed ' "$out/run$i.log" | sed 's/^\s*Failed //' | tr '\n' ';')
  echo "run $i: exit $rc in $(( $(date +%s) - start )) s ${failures:+— failed: $failures}"
  [ "$rc" -eq 0 ] || failed_runs=$((failed_runs + 1))
done
echo "flake-hunt: $runs runs, $failed_runs with failures (logs in $out)"
[ "$failed_runs" -eq 0 ]
