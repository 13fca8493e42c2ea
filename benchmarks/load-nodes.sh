#!/usr/bin/env bash
# Two sample nodes on one throwaway PostgreSQL (R26) under wrk: each node serves random tokens out of
# many, while changes made on node A are timed until node B refuses them. Prints requests/s per node
# and the propagation time of the changes made during the load, from A's answer to the change until
# the first answer of B that refuses the token (so it includes B's own response time under the load). Only 127.0.0.1 is ever a target.
#   DURATION=20 CONNECTIONS=16 TOKENS=300 CHANGES=20 bash benchmarks/load-nodes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-16}
TOKENS=${TOKENS:-300}
CHANGES=${CHANGES:-20}
A=${A:-5091}
B=${B:-5092}

if ! command -v wrk >/dev/null 2>&1; then
  echo "load-nodes.sh: installing wrk" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
command -v initdb >/dev/null 2>&1 && bin=$(dirname "$(command -v initdb)")
[ -x "$bin/initdb" ] || { echo "load-nodes.sh: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2; exit 1; }

out=$(mktemp -d)
chmod 755 "$out"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$out/pg"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$out/pg"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  as_pg "$bin/pg_ctl" -D "$out/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT

as_pg "$bin/initdb" -D "$out/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$out/pg/data" -l "$out/pg/log" -w -o "-p $pgport -k $out/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
connection="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres"

dotnet build -c Release samples/ApiTokens.Sample -o "$out/sample" -v q -nologo >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; echo "load-nodes.sh: the sample did not build" >&2; exit 1; }
for port in $A $B; do
  DOTNET_gcServer=0 dotnet "$out/sample/ApiTokens.Sample.dll" --urls "http://127.0.0.1:$port" --store postgres --connection "$connection" >"$out/node-$port.log" 2>&1 &
  pids+=($!)
done
for port in $A $B; do
  for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$port/" || { cat "$out/node-$port.log"; echo "load-nodes.sh: node $port did not start" >&2; exit 1; }
done
sleep 2 # both listeners connected

jar="$out/cookies"
curl -sf -c "$jar" -H 'Content-Type: application/json' -d '{"userName":"alice"}' "http://127.0.0.1:$A/login" >/dev/null
create() { curl -sf -b "$jar" -H 'Content-Type: application/json' -d '{"type":"account","privilege":"readOnly"}' "http://127.0.0.1:$A/api/tokens"; }
echo "load-nodes.sh: creating $TOKENS tokens for the load and $CHANGES to change" >&2
{
  echo 'local secrets = {'
  for _ in $(seq 1 "$TOKENS"); do create | python3 -c 'import json,sys; print("  \"" + json.load(sys.stdin)["secret"] + "\",")'; done
  echo '}'
  cat <<'LUA'
math.randomseed(os.time())
request = function()
  wrk.headers["X-Circonus-Auth-Token"] = secrets[math.random(#secrets)]
  wrk.headers["X-Circonus-App-Name"] = "wrk"
  wrk.headers["Accept"] = "application/json"
  return wrk.format("GET", "/v2/account/current")
end
LUA
} >"$out/tokens.lua"
probes=()
for _ in $(seq 1 "$CHANGES"); do probes+=("$(create | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"] + " " + d["secret"])')"); done

status() { curl -s -o /dev/null -w '%{http_code}' -H "X-Circonus-Auth-Token: $1" -H "X-Circonus-App-Name: probe" "http://127.0.0.1:$B/v2/account/current"; }
for probe in "${probes[@]}"; do status "${probe#* }" >/dev/null; status "${probe#* }" >/dev/null; done # cached on B

wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$out/tokens.lua" "http://127.0.0.1:$A" >"$out/wrk-a.txt" &
wa=$!
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$out/tokens.lua" "http://127.0.0.1:$B" >"$out/wrk-b.txt" &
wb=$!
sleep 2
: >"$out/propagation"
for probe in "${probes[@]}"; do
  id=${probe%% *}; secret=${probe#* }
  # Timed from the moment the change is durable (A answered), to the first answer of B that refuses it.
  curl -sf -b "$jar" -X PUT -H 'Content-Type: application/json' -d '{"state":"deny"}' "http://127.0.0.1:$A/api/tokens/$id/apps/probe" >/dev/null
  start=$(date +%s%N)
  while [ "$(status "$secret")" != 403 ]; do
    [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 5000 ] && { echo "load-nodes.sh: node B still accepts a change after 5 s" >&2; exit 1; }
  done
  echo $(( ($(date +%s%N) - start) / 1000000 )) >>"$out/propagation"
  sleep $(awk -v d="$DURATION" -v n="$CHANGES" 'BEGIN {printf "%.2f", (d - 4) / n}')
done
wait $wa $wb

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $5}' "$1"; }
sort -n "$out/propagation" >"$out/sorted"
p50=$(awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' "$out/sorted")
max=$(tail -1 "$out/sorted")
echo
echo "two sample nodes on one PostgreSQL, wrk -t1 -c$CONNECTIONS -d${DURATION}s each, $TOKENS random account tokens, $(nproc) cores"
printf '| %-44s | %12s |\n' "measure" "value"
printf '|%s|%s|\n' "----------------------------------------------" "--------------"
printf '| %-44s | %12s |\n' "node A requests/s" "$(rps "$out/wrk-a.txt")"
printf '| %-44s | %12s |\n' "node B requests/s" "$(rps "$out/wrk-b.txt")"
printf '| %-44s | %12s |\n' "non-2xx answers (A, B)" "$(non2xx "$out/wrk-a.txt") $(non2xx "$out/wrk-b.txt")"
printf '| %-44s | %9s ms |\n' "change on A → refused on B, p50 ($CHANGES changes)" "$p50"
printf '| %-44s | %9s ms |\n' "change on A → refused on B, max" "$max"
