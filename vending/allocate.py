"""`vend allocate`: write the missing IP allocations into the account files.

The files are edited as text, not dumped again from YAML data, so comments, key order and
quoting stay exactly as their authors wrote them: a reviewer sees only the new lines in the
pull request. Each edited file is parsed again and checked before it is written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from vending.errors import ValidationFailed, VendError
from vending.model import ip_plan, loader
from vending.model.yaml_source import YamlSyntaxError, parse

_LEFT_TO_ALLOCATE = {"V704", "V705"}
"""Findings `vend allocate` fixes (missing blocks) or explains itself (an exhausted pool)."""


@dataclass(frozen=True)
class Written:
    """One allocation written: `file` gained `network.<region>: <cidr>`."""

    file: str
    region: str
    cidr: str


def allocate(root: Path) -> list[Written]:
    """Fill in every missing allocation; returns what was written (empty: nothing to do)."""
    org, found = loader.read(root)
    blocking = [d for d in found if d.severity == "error" and d.code not in _LEFT_TO_ALLOCATE]
    if blocking:
        raise ValidationFailed(blocking)
    new = ip_plan.allocate(org)
    edits = {}
    for file, regions in sorted(new.items()):
        path = root / file
        edits[path] = add_network(path.read_text(encoding="utf-8"), regions, file)
    for path, text in edits.items():  # every file edited in memory first: all or nothing
        path.write_text(text, encoding="utf-8")
    return [Written(file, region, cidr) for file, regions in sorted(new.items()) for region, cidr in regions.items()]


def add_network(text: str, entries: dict[str, str], file: str) -> str:
    """`text` with `entries` (Region -> CIDR) added to its top-level `network` mapping, which is
    created at the end of the file when missing."""
    parsed = parse(text)
    data = parsed.data if isinstance(parsed.data, dict) else {}
    existing = data.get("network")
    lines = text.splitlines(keepends=True)
    if isinstance(existing, dict) and existing:
        line = parsed.lines.at(("network",))
        if _is_flow(lines[line - 1]):
            lines[line - 1] = _extend_flow(lines[line - 1], entries, file)
        else:
            last = max(parsed.lines.at(("network", region)) for region in existing)
            indent = re.match(r"[ ]*", lines[last - 1]).group(0)
            lines[last:last] = [f"{indent}{region}: {cidr}\n" for region, cidr in entries.items()]
    elif "network" in data:  # `network:` or `network: {}` with nothing in it yet
        line = parsed.lines.at(("network",))
        comment = _comment(lines[line - 1])
        lines[line - 1:line] = [f"network:{comment}\n"] + [f"  {region}: {cidr}\n" for region, cidr in entries.items()]
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += ["network:\n"] + [f"  {region}: {cidr}\n" for region, cidr in entries.items()]
    result = "".join(lines)
    _check(result, {**(existing if isinstance(existing, dict) else {}), **entries}, file)
    return result


def _is_flow(line: str) -> bool:
    return line.split(":", 1)[1].lstrip().startswith("{")


def _comment(line: str) -> str:
    match = re.search(r"\s+#.*$", line.rstrip("\n"))
    return match.group(0) if match else ""


def _extend_flow(line: str, entries: dict[str, str], file: str) -> str:
    """`network: {a: x}` -> `network: {a: x, b: y}` on its one line."""
    comment = _comment(line)
    body = line.rstrip("\n")[: len(line.rstrip("\n")) - len(comment)].rstrip()
    if not body.endswith("}"):
        raise VendError(f"{file}: the network mapping spans several lines in flow style; "
                        "write it as a block mapping (one `region: cidr` per line) and run vend allocate again")
    added = ", ".join(f"{region}: {cidr}" for region, cidr in entries.items())
    return f"{body[:-1].rstrip()}, {added}}}{comment}\n"


def _check(text: str, expected: dict[str, str], file: str) -> None:
    try:
        network = parse(text).data.get("network")
    except (YamlSyntaxError, AttributeError) as exc:
        raise VendError(f"{file}: could not add the network allocations safely ({exc}); add them by hand") from exc
    if network != expected:
        raise VendError(f"{file}: could not add the network allocations safely; add them by hand: "
                        + ", ".join(f"{r}: {c}" for r, c in expected.items()))
