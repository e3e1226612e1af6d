"""The import's contact with the file system: the vend.yaml it starts from, and writing the
files without ever overwriting one."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vending.errors import ImportRefused, ValidationFailed
from vending.model import schema_check, specs
from vending.model.codes import finding
from vending.model.types import OrgSettings
from vending.model.yaml_source import YamlSyntaxError, parse

SETTINGS_FILE = "vend.yaml"


@dataclass(frozen=True)
class SourceSettings:
    settings: OrgSettings
    data: dict[str, Any]
    """vend.yaml as written (parsed), copied into the imported repository."""


def read_settings(repo: Path) -> SourceSettings:
    """vend.yaml alone, schema-checked: the rest of the repository may not exist yet."""
    path = repo / SETTINGS_FILE
    if not path.is_file():
        raise ImportRefused(
            f"{path}: vend import needs a vend.yaml naming the organization (target) and its settings"
            " (home_region, governed_regions, account_factory, quarantine_ou, required_tags); write one"
            " as the README's Repository format shows, then run vend import again"
        )
    try:
        parsed = parse(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        raise ValidationFailed([finding("V001", SETTINGS_FILE, exc.line, "", exc.message, "fix the YAML here")])
    data = parsed.data if isinstance(parsed.data, dict) else {}
    found, _ = schema_check.check("vend", SETTINGS_FILE, data, parsed.lines)
    if any(d.severity == "error" for d in found):
        raise ValidationFailed(found)
    return SourceSettings(specs.settings(data, SETTINGS_FILE, parsed.lines), data)


def refuse_existing(into: Path, files: dict[str, str]) -> None:
    """One error naming the first file (in path order) that exists already."""
    for rel in sorted(files):
        if (into / rel).exists() or (into / rel).is_symlink():
            raise ImportRefused(
                f"{into / rel} exists; vend import never overwrites a file: import into an empty"
                " folder (--into DIR), or move the existing files away"
            )


def write(into: Path, files: dict[str, str]) -> None:
    refuse_existing(into, files)
    for rel in sorted(files):
        target = into / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:  # "x": never replace a file
            handle.write(files[rel])
