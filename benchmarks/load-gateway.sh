#!/usr/bin/env bash
# Gateways under wrk (R40, R41): requests per second through nginx with auth_request to the sample
# (docs/gateways.md's configuration, its ports replaced) against nginx straight to the same upstream
# — the cost of the gateway check as a ratio — and introspection requests per second on one node.
# The upstream is an nginx server block answering 200 at once, so the proxy hop is all either side
# pays besides the check. Only 127.0.0.1 is ever a target.
#   DURATION=10 CONNECTIONS=32 ROUNDS=3 bash benchmarks/load-gateway.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
ROUNDS=${ROUNDS:-3}
SAMPLE=5097 GATEWAY=8097 DIRECT=8098 UPSTREAM=8099

for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "load-gateway.sh: installing $tool" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$([ "$tool" = nginx ] && echo nginx-light || echo wrk)" >/dev/null
  fi
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)

out=$(mktemp -d)
chmod 777 "$out"
mkdir -m 777 "$out/temp"
dotnet build -c Release samples/ApiTokens.Sample -o "$out/sample" -v q -nologo >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; echo "load-gateway.sh: the sample did not build" >&2; exit 1; }

secret="gateway-bench-$(openssl rand -hex 16)"
client_secret="client-$(openssl rand -hex 16)"
client_hash=$(printf %s "$client_secret" | sha256sum | cut -c1-64)
(cd "$out" && DOTNET_gcServer=0 exec dotnet "$out/sample/ApiTokens.Sample.dll" --urls "http://127.0.0.1:$SAMPLE" --store inmemory \
  --Logging:LogLevel:Default=Warning \
  --ApiTokens:Bootstrap:AccountId=acme --ApiTokens:Bootstrap:Secret="$secret" --ApiTokens:Bootstrap:Privilege=Normal \
  --ApiTokens:ForwardAuth:TooManyRequestsStatus=403 \
  --ApiTokens:Introspection:Clients:0:ClientId=bench --ApiTokens:Introspection:Clients:0:SecretSha256="$client_hash") >"$out/sample.log" 2>&1 &
sample=$!

# docs/gateways.md's configuration, with a direct route and the upstream added in its http block.
python3 - "$out/nginx.conf" "$SAMPLE" "$GATEWAY" "$DIRECT" "$UPSTREAM" <<'PY'
import re, sys
path, sample, gateway, direct, upstream = sys.argv[1:]
docs = open("docs/gateways.md").read()
conf = re.search(r"```nginx\n(.*?)```", docs, re.S).group(1)
conf = conf.replace("127.0.0.1:5000", f"127.0.0.1:{sample}").replace("127.0.0.1:8000", f"127.0.0.1:{upstream}").replace("127.0.0.1:8080", f"127.0.0.1:{gateway}")
extra = f"""
    server {{ listen 127.0.0.1:{direct}; location / {{ proxy_pass http://app; }} }}
    server {{ listen 127.0.0.1:{upstream}; location / {{ return 200 "ok"; }} }}
"""
conf = conf[: conf.rstrip().rfind("}")] + extra + "}\n"
open(path, "w").write(conf)
PY
"$nginx" -p "$out" -c "$out/nginx.conf" -g "daemon off;" >"$out/nginx.log" 2>&1 &
proxy=$!
trap 'kill $sample $proxy 2>/dev/null || true; wait $sample $proxy 2>/dev/null || true; rm -rf "$out"' EXIT

for _ in $(seq 1 300); do
  curl -s -o /dev/null "http://127.0.0.1:$SAMPLE/healthz" && curl -s -o /dev/null "http://127.0.0.1:$DIRECT/" && break
  kill -0 $sample 2>/dev/null || { cat "$out/sample.log" >&2; echo "load-gateway.sh: the sample exited" >&2; exit 1; }
  sleep 0.1
done
check=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Circonus-Auth-Token: $secret" -H "X-Circonus-App-Name: bench" "http://127.0.0.1:$GATEWAY/v2/x")
[ "$check" = 200 ] || { cat "$out/nginx.log" "$out/sample.log" >&2; echo "load-gateway.sh: through nginx got $check" >&2; exit 1; }

cat >"$out/introspect.lua" <<LUA
wrk.method = "POST"
wrk.body = "token=$secret&app=bench"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $(printf %s "bench:$client_secret" | base64 -w0)"
LUA

active=$(curl -s -u "bench:$client_secret" -d "token=$secret&app=bench" "http://127.0.0.1:$SAMPLE/api/tokens/introspect" | jq -r .active)
[ "$active" = true ] || { echo "load-gateway.sh: introspection did not answer active" >&2; exit 1; }

# Requests per second; a run with any non-2xx answer fails (it would be measuring refusals).
rps() {
  local result; result=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$@")
  if grep -q "Non-2xx" <<<"$result"; then echo "load-gateway.sh: non-2xx answers: $(grep Non-2xx <<<"$result")" >&2; exit 1; fi
  awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$result"
}
printf '%-6s %14s %14s %8s %18s\n' round "nginx direct" "nginx+authz" ratio "introspection/s"
for round in $(seq 1 "$ROUNDS"); do
  direct=$(rps "http://127.0.0.1:$DIRECT/v2/x")
  gated=$(rps -H "X-Circonus-Auth-Token: $secret" -H "X-Circonus-App-Name: bench" "http://127.0.0.1:$GATEWAY/v2/x")
  introspect=$(rps -s "$out/introspect.lua" "http://127.0.0.1:$SAMPLE/api/tokens/introspect")
  printf '%-6s %14s %14s %8.2f %18s\n' "$round" "$direct" "$gated" "$(echo "$gated / $direct" | bc -l)" "$introspect"
done
