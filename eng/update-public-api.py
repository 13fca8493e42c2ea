#!/usr/bin/env python3
"""Adds the symbols the public-API analyzer reports as undeclared (RS0016) to PublicAPI.Unshipped.txt.

Run after changing a public surface: `python3 eng/update-public-api.py`; review the diff like code.
"""
import collections, re, subprocess, sys

out = subprocess.run(["dotnet", "build", "-c", "Release", "--no-incremental", "-p:TreatWarningsAsErrors=false"] + sys.argv[1:],
                     capture_output=True, text=True).stdout
pattern = re.compile(r"^(?P<file>/\S+?)\(\d+,\d+\): (?:warning|error) RS0016: Symbol '(?P<sym>.*)' is not part of the declared public API.*\[(?P<proj>[^\]]+\.csproj)\]$")
found = collections.defaultdict(set)
for line in out.splitlines():
    m = pattern.match(line.strip())
    if m:
        found[m.group("proj").rsplit("/", 1)[0]].add(m.group("sym"))
for folder, symbols in found.items():
    path = f"{folder}/PublicAPI.Unshipped.txt"
    lines = [l for l in open(path).read().splitlines() if l.strip()]
    header = [l for l in lines if l.startswith("#")]
    body = sorted(set(l for l in lines if not l.startswith("#")) | symbols, key=lambda s: s.lstrip("~").replace("override ", "").replace("static ", "").replace("abstract ", "").replace("virtual ", "").replace("const ", ""))
    open(path, "w").write("\n".join((header or ["#nullable enable"]) + body) + "\n")
    print(f"{path}: +{len(symbols)}")
