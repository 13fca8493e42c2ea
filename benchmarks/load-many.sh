#!/usr/bin/env bash
# Many tokens under wrk, as a user runs the sample: TOKENS account tokens × APPS apps on the embedded
# SQLite store (or a throwaway PostgreSQL with STORE=postgres), quiet logs, a random token and app per
# request (a Lua script), for long enough to cross several cache lifetimes (30 s). Prints requests/s
# and the latency percentiles wrk measures (p50, p90, p99, max). Only 127.0.0.1 is ever a target.
#   STORE=sqlite TOKENS=2000 APPS=3 DURATION=90 CONNECTIONS=32 bash benchmarks/load-many.sh
# RATE=5000 paces the load (each connection waits between requests, wrk's delay()), so latency shows
# hiccups (GC, refreshes, checkpoints) rather than queueing at saturation (RATE=0, the default). The
# waits are exponential with mean CONNECTIONS/RATE s (PACING=poisson, the default): the connections'
# requests arrive independently. PACING=fixed waits exactly CONNECTIONS/RATE s (the paced tables of
# benchmarks/README.md §11b–§11d): the connections then stay in step and arrive in bursts.
# GC=server runs the sample with the server GC (default: workstation, concurrent).
# PEER=1 first runs the same load with one token and one app: the baseline tail (see below).
# SETTLE=1 (PostgreSQL) runs VACUUM ANALYZE and CHECKPOINT after the set-up. The cache misses, the
# store reads (misses plus refresh-ahead reloads) and the GC's collections and pause time during the
# run (and each SLICE) are printed from the sample's /metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${STORE:-sqlite}
TOKENS=${TOKENS:-2000}
APPS=${APPS:-3}
DURATION=${DURATION:-90}
CONNECTIONS=${CONNECTIONS:-32}
RATE=${RATE:-0}
PACING=${PACING:-poisson}
case "$PACING" in poisson|fixed) ;; *) echo "load-many.sh: PACING is poisson or fixed" >&2; exit 1 ;; esac
GC=${GC:-workstation}
PORT=${PORT:-5093}
URL="http://127.0.0.1:$PORT"

if ! command -v wrk >/dev/null 2>&1; then
  echo "load-many.sh: installing wrk" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

out=$(mktemp -d)
chmod 755 "$out"
pids=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${bin:-}" ] && as_pg "$bin/pg_ctl" -D "$out/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT

case "$STORE" in
  sqlite) store=(--store sqlite --connection "Data Source=$out/apitokens.db") ;;
  postgres)
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    command -v initdb >/dev/null 2>&1 && bin=$(dirname "$(command -v initdb)")
    [ -x "$bin/initdb" ] || { echo "load-many.sh: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2; exit 1; }
    pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$out/pg"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$out/pg"
    as_pg "$bin/initdb" -D "$out/pg/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >/dev/null
    as_pg "$bin/pg_ctl" -D "$out/pg/data" -l "$out/pg/log" -w -o "-p $pgport -k $out/pg -c listen_addresses=127.0.0.1" start >/dev/null
    store=(--store postgres --connection "Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres") ;;
  *) echo "load-many.sh: STORE is sqlite or postgres" >&2; exit 1 ;;
esac

dotnet build -c Release samples/ApiTokens.Sample -o "$out/sample" -v q -nologo >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; echo "load-many.sh: the sample did not build" >&2; exit 1; }
# The demo's quotas are for people; this load holds thousands of account tokens.
case "$GC" in workstation) gcserver=0 ;; server) gcserver=1 ;; *) echo "load-many.sh: GC is workstation or server" >&2; exit 1 ;; esac
ApiTokens__MaxActiveAccountTokens=1000000 DOTNET_gcServer=$gcserver \
  dotnet "$out/sample/ApiTokens.Sample.dll" --urls "$URL" "${store[@]}" --Logging:LogLevel:Default=Warning >"$out/sample.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do curl -sf -o /dev/null "$URL/" && break; sleep 0.1; done
curl -sf -o /dev/null "$URL/" || { cat "$out/sample.log"; echo "load-many.sh: the sample did not start" >&2; exit 1; }

# Tokens and their apps over the management and Circonus APIs (one keep-alive connection), then the
# Lua table wrk picks from. Every (token, app) is used once first, so the load measures the steady
# state, not first uses.
cat >"$out/tokens.py" <<'PY'
import http.client, json, sys, time
port, tokens, apps, rate, connections, pacing = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
c = http.client.HTTPConnection("127.0.0.1", port)
def call(method, path, body=None, headers={}):
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers={"Content-Type": "application/json", **headers})
    r = c.getresponse(); data = r.read(); return r, data
r, _ = call("POST", "/login", {"userName": "alice"})
cookie = r.getheader("Set-Cookie").split(";")[0]
secrets = []
for i in range(tokens):
    r, data = call("POST", "/api/tokens", {"type": "account", "privilege": "readOnly"}, {"Cookie": cookie})
    assert r.status == 201, data
    secrets.append(json.loads(data)["secret"])
for s in secrets:
    for a in range(1, apps + 1):
        r, data = call("GET", "/v2/account/current", headers={"X-Circonus-Auth-Token": s, "X-Circonus-App-Name": f"app-{a}", "Accept": "application/json"})
        assert r.status == 200, data
# On PostgreSQL every change is also announced with NOTIFY (R26), and each node — this one too — drops
# the token from its cache when the notification arrives: the first uses above leave every token
# uncached a moment later. Once they have landed, one more request per token caches them again, so
# the run starts in the steady state rather than with a miss per token.
time.sleep(1)
for s in secrets:
    r, data = call("GET", "/v2/account/current", headers={"X-Circonus-Auth-Token": s, "X-Circonus-App-Name": "app-1", "Accept": "application/json"})
    assert r.status == 200, data
print("local secrets = {")
for s in secrets: print(f'  "{s}",')
print("}")
print(f"local apps = {apps}")
print('''math.randomseed(os.time())
request = function()
  wrk.headers["X-Circonus-Auth-Token"] = secrets[math.random(#secrets)]
  wrk.headers["X-Circonus-App-Name"] = "app-" .. math.random(apps)
  wrk.headers["Accept"] = "application/json"
  return wrk.format("GET", "/v2/account/current")
end''')
if rate > 0 and pacing == "fixed":
    print(f"delay = function() return {max(1, round(connections * 1000 / rate))} end")
elif rate > 0:
    # Exponential waits (mean CONNECTIONS / RATE): each connection's requests arrive as a Poisson
    # process, independent of the others. wrk takes whole milliseconds, so round, not truncate.
    print(f"local mean = {connections * 1000 / rate}")
    print("delay = function() return math.floor(-mean * math.log(1 - math.random()) + 0.5) end")
PY

# Cache misses (the sample's /metrics: apitokens.cache.lookups by hit) before and after the run.
misses() { curl -s "$URL/metrics" | awk '/^apitokens_cache_lookups_total\{.*apitokens_cache_hit="false"/ {s+=$NF} END {printf "%d", s}'; }
# Store reads of the validation flow (apitokens.store.duration's count: `find` per miss or, before
# batching, per reload; `find_many` per batch of reloads), the round trips the run cost the database.
reads() { curl -s "$URL/metrics" | awk '/^apitokens_store_duration_seconds_count\{.*apitokens_store_operation="find(_many)?"/ {s+=$NF} END {printf "%d", s}'; }
# The runtime's GC during the run (the sample also exports the System.Runtime meter): collections by
# the highest generation collected, and the total pause time — what a max or a slow slice is read against.
gc() { curl -s "$URL/metrics" | awk '
  /^dotnet_gc_collections_total\{.*gc_heap_generation="gen0"/ {g0=$NF}
  /^dotnet_gc_collections_total\{.*gc_heap_generation="gen1"/ {g1=$NF}
  /^dotnet_gc_collections_total\{.*gc_heap_generation="gen2"/ {g2=$NF}
  /^dotnet_gc_pause_time_seconds_total/ {p=$NF}
  /^dotnet_gc_heap_total_allocated_bytes_total/ {b=$NF}
  END {printf "%d %d %d %.6f %.0f", g0, g1, g2, p, b}'; }
gc_between() { # before after [requests]: "gen0 a, gen1 b, gen2 c, paused d ms[, e B allocated per request]"
  awk -v b="$1" -v a="$2" -v n="${3:-0}" 'BEGIN {split(b, x, " "); split(a, y, " ");
    printf "gen0 %d, gen1 %d, gen2 %d, paused %.1f ms", y[1]-x[1], y[2]-x[2], y[3]-x[3], (y[4]-x[4])*1000;
    if (n > 0) printf ", %.0f B allocated per request", (y[5]-x[5])/n}'; }
requests() { awk '/requests in/ {print $1}' "$1"; }
per_request() { # before after requests: bytes allocated per request
  awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN {split(b, x, " "); split(a, y, " "); printf "%.0f", (y[5]-x[5])/n}'; }

# PEER=1 first measures the same sample process with ONE token and one app (always a cache hit, one
# refresh per lifetime) for the same duration: the tail this machine, wrk and the sample's endpoint
# have without many tokens, the baseline the many-token figures are read against (after a 10 s
# warm-up, so the new process's JIT tiering is not counted against the peer).
if [ "${PEER:-0}" = 1 ]; then
  echo "load-many.sh: peer run, 1 token × 1 app on $STORE" >&2
  python3 "$out/tokens.py" "$PORT" 1 1 "$RATE" "$CONNECTIONS" "$PACING" >"$out/peer.lua"
  wrk -t1 -c"$CONNECTIONS" -d10s -s "$out/peer.lua" "$URL" >/dev/null   # warm-up (JIT tiers), not counted
  gc_start=$(gc)
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$out/peer.lua" "$URL" >"$out/peer.txt"
  gc_peer_end=$(gc)
  gc_peer=$(gc_between "$gc_start" "$gc_peer_end" "$(requests "$out/peer.txt")")
  peer_bytes=$(per_request "$gc_start" "$gc_peer_end" "$(requests "$out/peer.txt")")
  cat "$out/peer.txt" >&2
fi

echo "load-many.sh: creating $TOKENS tokens × $APPS apps on $STORE" >&2
python3 "$out/tokens.py" "$PORT" "$TOKENS" "$APPS" "$RATE" "$CONNECTIONS" "$PACING" >"$out/tokens.lua"
# SETTLE=1 (PostgreSQL): finish the database's own work after the bulk set-up (autovacuum's analyze of
# the new rows, the checkpoint of their pages) before measuring, instead of during the run.
if [ "${SETTLE:-0}" = 1 ] && [ "$STORE" = postgres ]; then
  psql=$bin/psql; [ -x "$psql" ] || psql=$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql | sort -V | tail -1)
  as_pg "$psql" -q -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
fi

# SLICE=5 adds a timeline: the same load as back-to-back wrk runs of SLICE seconds (after the whole
# run), one row each, so a spike that recurs every cache lifetime shows as rows, not only as a max.
misses_before=$(misses)
reads_before=$(reads)
gc_before=$(gc)
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$out/tokens.lua" "$URL" >"$out/wrk.txt"
gc_after=$(gc)
misses_during=$(( $(misses) - misses_before ))
reads_during=$(( $(reads) - reads_before ))
gc_during=$(gc_between "$gc_before" "$gc_after" "$(requests "$out/wrk.txt")")
cat "$out/wrk.txt" >&2
if [ "${SLICE:-0}" -gt 0 ]; then
  echo "timeline: $((DURATION / SLICE)) back-to-back runs of ${SLICE}s" >"$out/timeline.txt"
  printf '| %6s | %10s | %9s | %9s | %9s | %s |\n' "t (s)" "requests/s" "p50" "p99" "max" "GC in the slice" >>"$out/timeline.txt"
  for i in $(seq 1 $((DURATION / SLICE))); do
    gc_start=$(gc)
    wrk -t1 -c"$CONNECTIONS" -d"${SLICE}s" --latency -s "$out/tokens.lua" "$URL" >"$out/slice.txt"
    printf '| %6s | %10s | %9s | %9s | %9s | %s |\n' "$((i * SLICE))" \
      "$(awk '/Requests\/sec/ {print $2}' "$out/slice.txt")" \
      "$(awk '$1 == "50%" {print $2}' "$out/slice.txt")" \
      "$(awk '$1 == "99%" {print $2}' "$out/slice.txt")" \
      "$(awk '/^ +Latency/ {print $4; exit}' "$out/slice.txt")" \
      "$(gc_between "$gc_start" "$(gc)" "$(requests "$out/slice.txt")")" >>"$out/timeline.txt"
  done
fi

rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
max() { awk '/^ +Latency/ {print $4; exit}' "$1"; }
non2xx() { local n; n=$(awk '/Non-2xx/ {print $5}' "$1"); echo "${n:-0}"; }
echo
pace="saturation"; [ "$RATE" -gt 0 ] && pace="paced at ~$RATE req/s ($PACING waits)"
echo "the sample on $STORE ($GC GC), $TOKENS account tokens × $APPS apps, random per request, wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency, $pace, $(nproc) cores"
if [ -f "$out/peer.txt" ]; then
  row() { printf '| %-20s | %12s | %12s |\n' "$1" "$2" "$3"; }
  row "measure" "1 token" "$TOKENS tokens"
  printf '|%s|%s|%s|\n' "----------------------" "--------------" "--------------"
  row "requests/s" "$(rps "$out/peer.txt")" "$(rps "$out/wrk.txt")"
  for p in 50% 90% 99%; do row "p${p%\%}" "$(pct "$out/peer.txt" $p)" "$(pct "$out/wrk.txt" $p)"; done
  row "max" "$(max "$out/peer.txt")" "$(max "$out/wrk.txt")"
  row "non-2xx answers" "$(non2xx "$out/peer.txt")" "$(non2xx "$out/wrk.txt")"
else
  printf '| %-20s | %12s |\n' "measure" "value"
  printf '|%s|%s|\n' "----------------------" "--------------"
  printf '| %-20s | %12s |\n' "requests/s" "$(rps "$out/wrk.txt")"
  for p in 50% 90% 99%; do printf '| %-20s | %12s |\n' "p${p%\%}" "$(pct "$out/wrk.txt" $p)"; done
  printf '| %-20s | %12s |\n' "max" "$(max "$out/wrk.txt")"
  printf '| %-20s | %12s |\n' "non-2xx answers" "$(non2xx "$out/wrk.txt")"
fi
echo "cache misses during the $TOKENS-token run: $misses_during; store reads (misses and reloads): $reads_during"
echo "GC collections during the $TOKENS-token run (by the highest generation collected): $gc_during"
[ -n "${gc_peer:-}" ] && echo "GC collections during the 1-token run: $gc_peer"
# The request itself allocates the same whatever the token (measured with the in-memory store, where
# nothing is written in the background); what the many-token run allocates beyond the 1-token run
# is background work per request: the last-use and usage flushes of 3 × TOKENS pairs, refresh-ahead
# reloads, the stores' own buffers.
if [ -n "${peer_bytes:-}" ]; then
  many_bytes=$(per_request "$gc_before" "$gc_after" "$(requests "$out/wrk.txt")")
  echo "allocated per request: $many_bytes B with $TOKENS tokens, $peer_bytes B with 1 token; background work (flushes, reloads): $((many_bytes - peer_bytes)) B per request"
fi
[ -f "$out/timeline.txt" ] && { echo; cat "$out/timeline.txt"; }
true
