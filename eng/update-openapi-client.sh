#!/usr/bin/env bash
# Regenerates the sample's OpenAPI document snapshot and the Kiota client generated from it
# (tests/ApiTokens.Sample.Tests/Client). SampleOpenApiTests fails when the sample's live document no
# longer matches the snapshot: run this, review the diff, commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/ApiTokens.Sample.Tests/Client
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dotnet tool restore >/dev/null
dotnet build samples/ApiTokens.Sample -c Release -v q -nologo >/dev/null
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
(cd "$work" && exec dotnet "$OLDPWD/samples/ApiTokens.Sample/bin/Release/net10.0/ApiTokens.Sample.dll" --store inmemory --urls "http://127.0.0.1:$port" >/dev/null 2>&1) &
pid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/openapi/v1.json" -o "$work/openapi.json" && break; sleep 0.5; done
# The servers entry names this run's port: left out of the snapshot.
python3 - "$work/openapi.json" "$out/openapi.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
document.pop("servers", None)
with open(sys.argv[2], "w") as f:
    json.dump(document, f, indent=2)
    f.write("\n")
PY
KIOTA_OFFLINE_ENABLED=true dotnet kiota generate --language CSharp --openapi "$out/openapi.json" --output "$out/Generated" \
  --class-name SampleApiClient --namespace-name ApiTokens.Sample.Tests.Client --exclude-backward-compatible --clean-output --log-level Warning
echo "updated $out/openapi.json and $out/Generated"
