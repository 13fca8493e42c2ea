#!/usr/bin/env bash
# Real processes: a small host on loopback with one endpoint per scheme (none, ApiTokens, JwtBearer,
# and the framework's floor: a scheme that accepts every request behind the same kind of policy),
# each driven by wrk for a bounded time; prints requests per second and the ratios to no
# authentication and to the floor. Only 127.0.0.1 is ever a target.
#   DURATION=10 CONNECTIONS=32 ROUNDS=3 bash benchmarks/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-5099}
URL="http://127.0.0.1:${PORT}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "load.sh: installing wrk" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

out=$(mktemp -d)
dotnet build -c Release benchmarks/ApiTokens.LoadHost -o "$out/host" -v q -nologo >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; echo "load.sh: the host did not build" >&2; exit 1; }
credentials="$out/credentials"
DOTNET_gcServer=0 dotnet "$out/host/ApiTokens.LoadHost.dll" --urls "$URL" --credentials "$credentials" &
host=$!
trap 'kill $host 2>/dev/null || true; wait $host 2>/dev/null || true; rm -rf "$out"' EXIT

for _ in $(seq 1 300); do
  [ -s "$credentials" ] && break
  kill -0 $host 2>/dev/null || { echo "load.sh: the host exited" >&2; exit 1; }
  sleep 0.1
done
[ -s "$credentials" ] || { echo "load.sh: the host did not start" >&2; exit 1; }
secret=$(sed -n 1p "$credentials")
jwt=$(sed -n 2p "$credentials")

run() { # name path header...
  local path=$1; shift
  local args=()
  for header in "$@"; do args+=(-H "$header"); done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${args[@]}" "$URL$path" | awk '/Requests\/sec/ {print $2}'
}

check() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  [ "$code" = 200 ] || { echo "load.sh: $* answered $code" >&2; exit 1; }
}
check "$URL/none"
check -H "X-Circonus-Auth-Token: $secret" -H "X-Circonus-App-Name: wrk" "$URL/apitokens"
check -H "Authorization: Bearer $jwt" "$URL/jwt"
check "$URL/floor"

# Warm up every endpoint, then interleave the rounds so drift on a shared machine hits all alike.
DURATION=2 run /none >/dev/null
DURATION=2 run /apitokens "X-Circonus-Auth-Token: $secret" "X-Circonus-App-Name: wrk" >/dev/null
DURATION=2 run /jwt "Authorization: Bearer $jwt" >/dev/null
DURATION=2 run /floor >/dev/null

declare -a none apitokens jwtbearer floor
for round in $(seq 1 "$ROUNDS"); do
  none+=("$(run /none)")
  apitokens+=("$(run /apitokens "X-Circonus-Auth-Token: $secret" "X-Circonus-App-Name: wrk")")
  jwtbearer+=("$(run /jwt "Authorization: Bearer $jwt")")
  floor+=("$(run /floor)")
  echo "round $round: none ${none[-1]}  apitokens ${apitokens[-1]}  jwtbearer ${jwtbearer[-1]}  floor ${floor[-1]}" >&2
done

mean() { printf '%s\n' "$@" | awk '{s+=$1} END {printf "%.0f", s/NR}'; }
ratio() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.2f", a/n}'; }
n=$(mean "${none[@]}"); a=$(mean "${apitokens[@]}"); j=$(mean "${jwtbearer[@]}"); f=$(mean "${floor[@]}")
echo
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS interleaved rounds, $(nproc) cores"
printf '| %-32s | %12s | %20s | %12s |\n' "endpoint" "requests/s" "vs no authentication" "vs the floor"
printf '|%s|%s|%s|%s|\n' "----------------------------------" "--------------" "----------------------" "--------------"
printf '| %-32s | %12s | %20s | %12s |\n' "no authentication" "$n" "1.00" ""
printf '| %-32s | %12s | %20s | %12s |\n' "floor (accepts every request)" "$f" "$(ratio "$f" "$n")" "1.00"
printf '| %-32s | %12s | %20s | %12s |\n' "ApiTokens" "$a" "$(ratio "$a" "$n")" "$(ratio "$a" "$f")"
printf '| %-32s | %12s | %20s | %12s |\n' "JwtBearer HS256" "$j" "$(ratio "$j" "$n")" "$(ratio "$j" "$f")"
