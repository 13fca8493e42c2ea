#!/usr/bin/env bash
# Packs the src/ packages into a local folder, builds this app against them *as packages* (its own
# restore folder, so no stale copy can stand in), starts it, and makes one authenticated request
# with the token it mints. Run from anywhere: bash tests/consumer/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
version="0.1.0-consumer.$(date +%s)"

dotnet pack "$repo/ApiTokens.sln" -c Release -o "$work/feed" -p:Version="$version" -p:TreatWarningsAsErrors=true --nologo -v q
dotnet restore "$here/ApiTokens.Consumer.csproj" -p:ApiTokensVersion="$version" -p:RestorePackagesPath="$work/packages" \
  --source "$work/feed" --source https://api.nuget.org/v3/index.json -v q
dotnet build "$here/ApiTokens.Consumer.csproj" -c Release --no-restore -p:ApiTokensVersion="$version" -p:RestorePackagesPath="$work/packages" -o "$work/app" --nologo -v q

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dotnet "$work/app/ApiTokens.Consumer.dll" --urls "http://127.0.0.1:$port" > "$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  grep -q '^token: ' "$work/out.txt" && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/out.txt"; echo "consumer: the app stopped"; exit 1; }
  sleep 0.2
done
secret=$(sed -n 's/^token: //p' "$work/out.txt")
[ -n "$secret" ] || { cat "$work/out.txt"; echo "consumer: no token printed"; exit 1; }
body=$(curl -sS -H "X-Circonus-Auth-Token: $secret" -H "X-Circonus-App-Name: consumer-check" "http://127.0.0.1:$port/hello")
if [ "$body" != "hello alice" ]; then
  echo "consumer: expected 'hello alice', got '$body'"; exit 1
fi
echo "consumer: the packages ($version) served an authenticated request"
