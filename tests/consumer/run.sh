#!/usr/bin/env bash
# The packages as a user meets them. Packs src/ into a local feed; extracts every C# snippet of the
# READMEs and docs/ (snippets.py) into consumer projects and builds them against the packages *as
# packages* (their own restore folder, so no stale copy can stand in); then runs each whole-program
# snippet the way its README says: a first token from ApiTokens:Bootstrap, GET /hello → 200 with
# it, 401 problem+json without. Run from anywhere: bash tests/consumer/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
version="0.1.0-consumer.$(date +%s)"

dotnet pack "$repo/ApiTokens.sln" -c Release -o "$work/feed" -p:Version="$version" -p:TreatWarningsAsErrors=true --nologo -v q
python3 "$here/snippets.py" "$work/projects" > "$work/projects.txt"
cat "$work/projects.txt"

build() {
  dotnet restore "$1/Consumer.csproj" -p:ApiTokensVersion="$version" -p:RestorePackagesPath="$work/packages" \
    --source "$work/feed" --source https://api.nuget.org/v3/index.json -v q
  dotnet build "$1/Consumer.csproj" -c Release --no-restore -p:ApiTokensVersion="$version" -p:RestorePackagesPath="$work/packages" -o "$1/bin" --nologo -v q
}

build "$work/projects/snippets"

# Runs a built app as its README says: a first token from ApiTokens:Bootstrap, GET /hello → 200
# with it, 401 problem+json without, and the secret nowhere in its log.
serve() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  secret="first-token-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  (cd "$1" && ApiTokens__Bootstrap__AccountId=acme ApiTokens__Bootstrap__Secret="$secret" \
    exec dotnet "$1/bin/Consumer.dll" --urls "http://127.0.0.1:$port") > "$work/out.txt" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$port/hello" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/out.txt"; echo "consumer: $(basename "$1") stopped"; exit 1; }
    sleep 0.2
  done
  body=$(curl -sS -H "X-Circonus-Auth-Token: $secret" -H "X-Circonus-App-Name: consumer-check" "http://127.0.0.1:$port/hello")
  case "$body" in
    "hello token:"*) ;;
    *) cat "$work/out.txt"; echo "consumer: expected 'hello token:<id>', got '$body'"; exit 1 ;;
  esac
  status=$(curl -sS -o "$work/anonymous.json" -w '%{http_code} %{content_type}' "http://127.0.0.1:$port/hello")
  [ "$status" = "401 application/problem+json" ] || { echo "consumer: without a token expected 401 problem+json, got '$status'"; exit 1; }
  grep -q '"Unauthorized.BadToken"' "$work/anonymous.json" || { cat "$work/anonymous.json"; echo "consumer: no Unauthorized.BadToken code"; exit 1; }
  if grep -q "$secret" "$work/out.txt"; then echo "consumer: the secret appeared in the log"; exit 1; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
}

for app in "$work"/projects/app*; do
  build "$app"
  serve "$app"
done

# The EF store's README: `dotnet ef migrations add AddApiTokens` with the tool and the Design package
# it names, in the app's own folder as a user types it, then the app migrates its database and serves.
if compgen -G "$work/projects/migrations*" > /dev/null; then
  dotnet tool install dotnet-ef --version 10.0.12 --tool-path "$work/tools" > /dev/null
  for app in "$work"/projects/migrations*; do
    cat > "$app/Directory.Build.props" <<PROPS
<Project>
  <PropertyGroup>
    <ApiTokensVersion>$version</ApiTokensVersion>
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
    <RestoreAdditionalProjectSources>$work/feed</RestoreAdditionalProjectSources>
  </PropertyGroup>
</Project>
PROPS
    # `dotnet add package` restores; a generated project has not been yet.
    (cd "$app" && dotnet restore -v q && "$work/tools/dotnet-ef" migrations add AddApiTokens > "$work/ef.txt" 2>&1) || { cat "$work/ef.txt"; echo "consumer: dotnet ef migrations add failed in $(basename "$app")"; exit 1; }
    compgen -G "$app/Migrations/*_AddApiTokens.cs" > /dev/null || { cat "$work/ef.txt"; echo "consumer: no AddApiTokens migration in $(basename "$app")"; exit 1; }
    build "$app"
    serve "$app"
  done
fi
echo "consumer: every snippet compiled against the packages ($version); the first apps served their bootstrap tokens, the EF ones after their dotnet ef migration"
