#!/usr/bin/env python3
"""Brings PublicAPI.Unshipped.txt in line with the code: adds the symbols the public-API analyzer
reports as undeclared (RS0016) and drops the declared ones that no longer exist (RS0017).

Run after changing a public surface: `python3 eng/update-public-api.py`; review the diff like code.
It repeats the build until nothing is left to fix (a project whose errors stop its dependants'
build shows their symbols only in the next round).
"""
import collections, re, subprocess, sys

pattern = re.compile(r"^(?P<file>/\S+?)\(\d+,\d+\): (?:warning|error) (?P<rule>RS0016|RS0017): Symbol '(?P<sym>.*)' is (?:not part of the declared public API|part of the declared API, but is either not public or could not be found).*\[(?P<proj>[^\]]+\.csproj)\]$")

for round in range(5):
    out = subprocess.run(["dotnet", "build", "-c", "Release", "--no-incremental", "-p:TreatWarningsAsErrors=false"] + sys.argv[1:],
                         capture_output=True, text=True).stdout
    added, removed = collections.defaultdict(set), collections.defaultdict(set)
    for line in out.splitlines():
        m = pattern.match(line.strip())
        if m:
            (added if m.group("rule") == "RS0016" else removed)[m.group("proj").rsplit("/", 1)[0]].add(m.group("sym"))
    if not added and not removed:
        break
    for folder in set(added) | set(removed):
        path = f"{folder}/PublicAPI.Unshipped.txt"
        lines = [l for l in open(path).read().splitlines() if l.strip()]
        header = [l for l in lines if l.startswith("#")]
        body = (set(l for l in lines if not l.startswith("#")) - removed[folder]) | added[folder]
        body = sorted(body, key=lambda s: s.lstrip("~").replace("override ", "").replace("static ", "").replace("abstract ", "").replace("virtual ", "").replace("const ", ""))
        open(path, "w").write("\n".join((header or ["#nullable enable"]) + body) + "\n")
        print(f"{path}: +{len(added[folder])} -{len(removed[folder])}")
