#!/usr/bin/env bash
# A node restarted under load: the sample on SQLite with TOKENS account tokens × APPS apps, wrk
# against it, the process killed (kill -9) and started again while the same load keeps coming. Prints
# requests/s and p99 for each of the first FIRST seconds (10) after the restart (one wrk run per second,
# started as soon as the port answers), then the steady rate over 10 s, and second 1 as a share of it.
#   TOKENS=2000 APPS=3 CONNECTIONS=64 bash benchmarks/restart.sh
# The load starts when /healthz/ready answers 200 (the node has read its most recently used tokens
# ahead, ApiTokenOptions.WarmUpTokens); READY=0 starts it as soon as the port answers.
# R2R=1 publishes the sample ReadyToRun (precompiled; the JIT only re-optimizes hot code); any
# DOTNET_* variable set (DOTNET_TieredPGO=0, DOTNET_TieredCompilation=0, DOTNET_TC_QuickJitForLoops=0)
# reaches the sample. Only 127.0.0.1 is ever a target.
set -euo pipefail
cd "$(dirname "$0")/.."
TOKENS=${TOKENS:-2000}
APPS=${APPS:-3}
CONNECTIONS=${CONNECTIONS:-64}
SHOWN=${FIRST:-10}
PORT=${PORT:-5091}
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

out=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$out"' EXIT
if [ "${R2R:-0}" = 1 ]; then
  dotnet publish -c Release samples/ApiTokens.Sample -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$out/sample" -v q -nologo >"$out/build.log" 2>&1 \
    || { cat "$out/build.log" >&2; exit 1; }
else
  dotnet build -c Release samples/ApiTokens.Sample -o "$out/sample" -v q -nologo >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
fi

start() {
  # Before the crash last uses are written every 5 s (instead of every minute), so the tokens the load
  # used are known as used when the node comes back; the restarted node has the default.
  ApiTokens__MaxActiveAccountTokens=1000000 ApiTokens__LastUsedGranularity="${1:-00:01:00}" dotnet "$out/sample/ApiTokens.Sample.dll" --urls "$URL" --store sqlite \
    --connection "Data Source=$out/apitokens.db" --Logging:LogLevel:Default=Warning >>"$out/sample.log" 2>&1 &
  pid=$!
  # Traffic once the node says it is ready (its recently used tokens read ahead; READY=0: once it answers).
  if [ "${READY:-1}" = 1 ]; then
    until curl -sf -o /dev/null "$URL/healthz/ready"; do sleep 0.02; done
  else
    until curl -s -o /dev/null "$URL/healthz"; do sleep 0.02; done
  fi
}

start 00:00:05
# The tokens, each app used once (recorded), and wrk's Lua table.
python3 - "$PORT" "$TOKENS" "$APPS" >"$out/tokens.lua" <<'PY'
import http.client, json, sys
port, tokens, apps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
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
PY
wrk -t1 -c"$CONNECTIONS" -d10s -s "$out/tokens.lua" "$URL" >/dev/null   # the node as it runs before the crash
sleep 6   # its last uses written

kill -9 "$pid"; wait "$pid" 2>/dev/null || true
start
rows=()
for second in $(seq 1 "$SHOWN"); do
  result=$(wrk -t1 -c"$CONNECTIONS" -d1s --latency -s "$out/tokens.lua" "$URL")
  rows+=("$second $(awk '/Requests\/sec/ {print $2}' <<<"$result") $(awk '$1 == "99%" {print $2}' <<<"$result")")
done
steady=$(wrk -t1 -c"$CONNECTIONS" -d10s -s "$out/tokens.lua" "$URL" | awk '/Requests\/sec/ {print $2}')
echo "the sample on SQLite restarted (kill -9) under wrk -t1 -c$CONNECTIONS, $TOKENS tokens × $APPS apps, READY=${READY:-1}, R2R=${R2R:-0}$(env | grep -E '^DOTNET_(Tiered|TC_|ReadyToRun|gc)' | sed 's/^/, /' | tr -d '\n'), $(nproc) cores"
printf '| %6s | %10s | %9s |\n' "second" "requests/s" "p99"
printf '|%s|%s|%s|\n' "--------" "------------" "-----------"
for row in "${rows[@]}"; do printf '| %6s | %10s | %9s |\n' $row; done
printf '| %6s | %10s | %9s |\n' "steady" "$steady" ""
first=$(awk '{print $2}' <<<"${rows[0]}")
echo "second 1 at $(awk -v a="$first" -v b="$steady" 'BEGIN {printf "%.0f", 100 * a / b}') % of the steady rate"
