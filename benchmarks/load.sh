#!/usr/bin/env bash
# Real processes: a small host on loopback with one endpoint per scheme (none, ApiTokens, JwtBearer,
# and the framework's floor: a scheme that accepts every request behind the same kind of policy),
# each driven by wrk for a bounded time; prints requests per second and the ratios to no
# authentication and to the floor. Only 127.0.0.1 is ever a target.
#   DURATION=10 CONNECTIONS=32 ROUNDS=3 bash benchmarks/load.sh
# RATE=4600 paces each endpoint's load instead of saturating it (each connection waits an exponential
# time with mean CONNECTIONS/RATE s between requests, so requests arrive independently) and adds each
# endpoint's latency: p50, p99 and max over its rounds — the tail the host and this machine have
# with no authentication at all, beside the schemes' tails at the same rate.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-0}
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

paced=()
if [ "$RATE" -gt 0 ]; then
  cat >"$out/paced.lua" <<LUA
local mean = $CONNECTIONS * 1000 / $RATE
math.randomseed(os.time())
-- wrk takes whole milliseconds: round, not truncate.
delay = function() return math.floor(-mean * math.log(1 - math.random()) + 0.5) end
LUA
  paced=(-s "$out/paced.lua")
fi

# One wrk run: "requests/s" or, paced, "requests/s p50 p99 max" with the latencies in ms.
run() { # path header...
  local path=$1; shift
  local args=()
  for header in "$@"; do args+=(-H "$header"); done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${paced[@]}" "${args[@]}" "$URL$path" | awk -v paced="$RATE" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +Latency/ && !max { max = ms($4) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Requests\/sec/ { rps = $2 }
    END { if (paced > 0) printf "%s %.2f %.2f %.2f\n", rps, p50, p99, max; else print rps }'
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

# field: 1 requests/s, 2 p50, 3 p99, 4 max (ms); mean over the rounds (max: the largest).
mean() { local f=$1; shift; printf '%s\n' "$@" | awk -v f="$f" '{s+=$f} END {printf (f == 1 ? "%.0f" : "%.2f"), s/NR}'; }
largest() { printf '%s\n' "$@" | awk '$4 > m {m=$4} END {printf "%.2f", m}'; }
ratio() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.2f", a/n}'; }
n=$(mean 1 "${none[@]}"); a=$(mean 1 "${apitokens[@]}"); j=$(mean 1 "${jwtbearer[@]}"); f=$(mean 1 "${floor[@]}")
echo
pace="saturation"; [ "$RATE" -gt 0 ] && pace="paced at ~$RATE requests/s (exponential waits)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS interleaved rounds, $pace, $(nproc) cores"
printf '| %-32s | %12s | %20s | %12s |\n' "endpoint" "requests/s" "vs no authentication" "vs the floor"
printf '|%s|%s|%s|%s|\n' "----------------------------------" "--------------" "----------------------" "--------------"
printf '| %-32s | %12s | %20s | %12s |\n' "no authentication" "$n" "1.00" ""
printf '| %-32s | %12s | %20s | %12s |\n' "floor (accepts every request)" "$f" "$(ratio "$f" "$n")" "1.00"
printf '| %-32s | %12s | %20s | %12s |\n' "ApiTokens" "$a" "$(ratio "$a" "$n")" "$(ratio "$a" "$f")"
printf '| %-32s | %12s | %20s | %12s |\n' "JwtBearer HS256" "$j" "$(ratio "$j" "$n")" "$(ratio "$j" "$f")"
if [ "$RATE" -gt 0 ]; then
  echo
  echo "latency at ~$RATE requests/s (p50 and p99: mean over the rounds; max: the largest), ms"
  printf '| %-32s | %8s | %8s | %8s |\n' "endpoint" "p50" "p99" "max"
  printf '|%s|%s|%s|%s|\n' "----------------------------------" "----------" "----------" "----------"
  latency() { printf '| %-32s | %8s | %8s | %8s |\n' "$1" "$(mean 2 "${@:2}")" "$(mean 3 "${@:2}")" "$(largest "${@:2}")"; }
  latency "no authentication" "${none[@]}"
  latency "floor (accepts every request)" "${floor[@]}"
  latency "ApiTokens" "${apitokens[@]}"
  latency "JwtBearer HS256" "${jwtbearer[@]}"
fi
