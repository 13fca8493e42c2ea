#!/usr/bin/env python3
"""Extracts every C# snippet of the READMEs and docs/ into consumer projects (tests/consumer/run.sh
builds them against the packed packages).

A snippet is a ```csharp fence preceded by an HTML comment that says where it belongs:

    <!-- snippet: program -->   a whole Program.cs: its own runnable web app (the first app)
    <!-- snippet: services -->  statements after `var builder = WebApplication.CreateBuilder(args);`
    <!-- snippet: code -->      statements with `services`, `manager`, `validator` and `context` in scope
    <!-- snippet: file -->      a whole file (types)
    <!-- snippet: migrations --> a whole Program.cs on the EF store: run.sh adds a migration with
                                 `dotnet ef`, then runs it like a program

Leading `using` lines are hoisted to the top of the generated file. A ```csharp fence without such
a comment fails the run: every C# snippet users can copy must compile.

Usage: snippets.py <output directory>; prints the projects it wrote, one per line.
"""
import pathlib, re, sys

repo = pathlib.Path(__file__).resolve().parents[2]
out = pathlib.Path(sys.argv[1])
here = pathlib.Path(__file__).resolve().parent

sources = [repo / "README.md", *sorted((repo / "docs").glob("*.md")), *sorted((repo / "src").glob("*/README.md"))]
fence = re.compile(r"(?:<!--\s*snippet:\s*(?P<kind>[a-z]+)\s*-->\s*\n)?```csharp\n(?P<code>.*?)```", re.S)

snippets, problems = [], []
for source in sources:
    text = source.read_text()
    for m in fence.finditer(text):
        line = text[: m.start("code")].count("\n")
        where = f"{source.relative_to(repo)}:{line}"
        if not m.group("kind"):
            problems.append(f"{where}: a csharp snippet without <!-- snippet: program|services|code|file|migrations -->")
        elif m.group("kind") not in ("program", "services", "code", "file", "migrations"):
            problems.append(f"{where}: unknown snippet kind '{m.group('kind')}'")
        else:
            snippets.append((where, m.group("kind"), m.group("code")))

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)


def split_usings(code):
    """Using directives before the first statement move to the file's top; comments stay in place."""
    usings, body, started = [], [], False
    for line in code.splitlines():
        if not started and re.match(r"^using [\w.]+\s*(=\s*[\w.<>]+\s*)?;", line):
            usings.append(line.split("//")[0].strip())
            continue
        if line.strip() and not line.lstrip().startswith("//"):
            started = True
        body.append(line)
    return usings, "\n".join(body).strip("\n")


def indent(code, spaces):
    return "\n".join((" " * spaces + l) if l.strip() else "" for l in code.splitlines())


programs = [s for s in snippets if s[1] == "program"]
migrations = [s for s in snippets if s[1] == "migrations"]
rest = [s for s in snippets if s[1] not in ("program", "migrations")]
written = []

for i, (where, _, code) in enumerate(migrations):
    project = out / f"migrations{i}"
    project.mkdir(parents=True)
    (project / "Program.cs").write_text(f"// From {where}\n{code}")
    (project / "Consumer.csproj").write_text((here / "Migrations.csproj").read_text())
    written.append(f"{project} {where}")

for i, (where, _, code) in enumerate(programs):
    project = out / f"app{i}"
    project.mkdir(parents=True)
    (project / "Program.cs").write_text(f"// From {where}\n{code}")
    (project / "Consumer.csproj").write_text((here / "App.csproj").read_text())
    written.append(f"{project} {where}")

project = out / "snippets"
project.mkdir(parents=True)
(project / "Consumer.csproj").write_text((here / "Snippets.csproj").read_text())
for support in (here / "support").glob("*.cs"):
    (project / support.name).write_text(support.read_text())
(project / "Program.cs").write_text("// Compiled, never run: each snippet is a method of its own file.\nreturn;\n")
for i, (where, kind, code) in enumerate(rest):
    usings, body = split_usings(code)
    header = f"// From {where}\n" + "".join(u + "\n" for u in sorted(set(usings)))
    if kind == "file":
        text = header + body + "\n"
    elif kind == "services":
        text = (header + "\nnamespace Snippets;\n\n"
                f"internal static class Snippet{i}\n{{\n"
                "    public static async Task RunAsync(string[] args)\n    {\n"
                "        var builder = WebApplication.CreateBuilder(args);\n"
                "        var connectionString = builder.Configuration.GetConnectionString(\"tokens\")!;\n"
                f"{indent(body, 8)}\n"
                "        await Task.CompletedTask;\n    }\n}\n")
    else:
        text = (header + "\nnamespace Snippets;\n\n"
                f"internal static class Snippet{i}\n{{\n"
                "    public static async Task<string?> RunAsync(IServiceCollection services, ApiTokens.ApiTokenManager manager, ApiTokens.Validation.ApiTokenValidator validator, HttpContext context)\n    {\n"
                f"{indent(body, 8)}\n"
                "        await Task.CompletedTask;\n        return null;\n    }\n}\n")
    (project / f"Snippet{i}.cs").write_text(text)
written.append(f"{project} {len(rest)} snippets")
print("\n".join(written))
