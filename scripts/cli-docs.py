#!/usr/bin/env python3
"""Regenerates the option tables of docs/cli.md from the tool's own --help: under each "### kvant COMMAND"
heading, the first ``` block is replaced by the option lines `kvant COMMAND --help` prints (every line from
"options:" to "--help", that one left out). A command the page does not have yet gets a section at the end of
"## Commands" with its summary. usage: scripts/cli-docs.py [KVANT] (default build/dev/kvant)"""
import re
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
kvant = sys.argv[1] if len(sys.argv) > 1 else str(root / "build" / "dev" / "kvant")
page = root / "docs" / "cli.md"


def run(*args):
    return subprocess.run([kvant, *args], check=True, capture_output=True, text=True).stdout


def options(command):
    lines, inside = [], False
    for line in run(*command.split(), "--help").splitlines():
        if line == "options:":
            inside = True
        elif inside:
            if not line.strip() or line.lstrip().startswith("--help "):
                break
            lines.append(line)
    return "\n".join(lines)


commands = []
for line in run("--help").splitlines():
    m = re.match(r"^  (\S+(?: (?!\s)\S+)?)\s{2,}(.*)$", line)
    if m and not line.startswith("   "):
        commands.append((m.group(1).strip(), m.group(2)))
text = page.read_text()
for name, summary in commands:
    if name == "version":
        continue
    block = options(name)
    heading = f"### kvant {name}\n"
    if heading not in text:
        about = run(*name.split(), "--help").split("\n\n")[1].strip()  # the summary, whole
        text = text.rstrip("\n") + f"\n\n{heading}\n{about}\n\n```\n{block}\n```\n"
        continue
    start = text.index(heading)
    a = text.index("```\n", start) + 4
    b = text.index("```", a)
    text = text[:a] + block + "\n" + text[b:]
page.write_text(text)
print(f"docs/cli.md: {len(commands)} commands")
