"""Read the repository (vend.yaml, ous/, accounts/, policies) into a DesiredOrg.

Pure: files in, model or diagnostics out; no AWS. Every file is read even after a broken one,
so `vend validate` lists all problems at once.
"""
from __future__ import annotations

import os

from pathlib import Path
from typing import Any

from vending.errors import Diagnostic, ValidationFailed
from vending.model import baselines as baseline_files
from vending.model import rules, rules_policies, schema_check, specs
from vending.model.codes import finding
from vending.model.types import (
    POLICY_FOLDERS,
    ROOT,
    AccountSpec,
    DesiredOrg,
    OrgSettings,
    OuPath,
    OuSpec,
    PolicySpec,
    Source,
    Target,
)
from vending.model.yaml_source import JsonPath, Lines, YamlSyntaxError, dotted, parse

SETTINGS_FILE = "vend.yaml"
OU_FILE = "ou.yaml"

_NO_SETTINGS = OrgSettings(
    home_region="", governed_regions=(), account_factory="organizations", target=Target(),
    required_tags=(), quarantine_ou=ROOT,
)
"""Stands in for a missing vend.yaml so the other files are still checked; never returned."""


def load(root: Path) -> DesiredOrg:
    """The desired organization; raises ValidationFailed with every finding if there is any."""
    org, found = _read(Path(root))
    if any(d.severity == "error" for d in found):
        raise ValidationFailed(found)
    return org


def validate(root: Path) -> list[Diagnostic]:
    """Every finding in the repository, sorted by file and line (empty when it is valid)."""
    return sorted(_read(Path(root))[1])


def read(root: Path) -> tuple[DesiredOrg, list[Diagnostic]]:
    """The organization as far as it could be read, and every finding (for tools such as
    `vend allocate` that fix some findings themselves)."""
    org, found = _read(Path(root))
    return org, sorted(found)


def _read(root: Path) -> tuple[DesiredOrg, list[Diagnostic]]:
    repo = _Repo(root)
    settings = repo.settings()
    policies_dir = (settings or _NO_SETTINGS).policies_dir
    root_ou, ous = repo.ous()
    accounts = repo.accounts()
    policies = repo.policies(policies_dir)
    baselines = baseline_files.read_all(repo, root, settings)
    by_name: dict[str, AccountSpec] = {}
    for account in accounts:
        by_name.setdefault(account.name, account)
    org = DesiredOrg(settings=settings or _NO_SETTINGS, root=root_ou, ous=ous, accounts=by_name, policies=policies,
                     baselines=baselines)
    loaded = rules.Loaded(org=org, settings=settings, accounts=tuple(accounts), lines=repo.lines,
                          policy_files=frozenset(repo.policy_files),
                          baseline_folders=baseline_files.folders(root))
    return org, _prefer_rules(repo.found + rules.check(loaded))


def _prefer_rules(found: list[Diagnostic]) -> list[Diagnostic]:
    """A rule's precise finding replaces the schema's generic bad-value finding on one field."""
    ruled = {(d.file, d.field) for d in found if not d.code.startswith("V0")}
    return [d for d in found if not (d.code == "V013" and (d.file, d.field) in ruled)]


def _ignored(path: Path) -> bool:
    """Notes and tool files live next to the YAML without being read: dot-files and *.md."""
    return path.name.startswith(".") or path.suffix == ".md"


class _Repo:
    """The repository on disk; collects the diagnostics and line tables of what it reads."""

    def __init__(self, root: Path):
        self.root = root
        self.found: list[Diagnostic] = []
        self.lines: dict[str, Lines] = {}
        self.policy_files: set[tuple[str, str]] = set()

    def rel(self, path: Path) -> str:
        """Repo-relative POSIX path; plain string slicing, as pathlib's relative_to is costly at
        10,000 files and every path here comes from walking below the root."""
        text = str(path)
        prefix = str(self.root) + os.sep
        return (text[len(prefix):] if text.startswith(prefix) else path.relative_to(self.root).as_posix()).replace(os.sep, "/")

    def stray(self, path: Path, expected: str) -> None:
        kind = "folder" if path.is_dir() else "file"
        self.found.append(finding("V021", self.rel(path), 1, "", f"vend does not read this {kind}", expected))

    def text(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.found.append(finding("V003", self.rel(path), 1, "",
                                      f"not UTF-8 text ({exc.reason} at byte {exc.start})", "save the file as UTF-8"))
            return None

    def source(self, path: Path, data: dict[str, Any] | None) -> Source:
        """The file, with the line of each top-level key it wrote."""
        file = self.rel(path)
        lines = self.lines.get(file)
        keys = sorted(data or {}) if lines else []
        return Source(file, 1, tuple((key, lines.at((key,))) for key in keys))

    def yaml(self, path: Path, kind: str) -> dict[str, Any] | None:
        """Parsed and schema-checked data, minus values of the wrong type; None if unreadable."""
        file, text = self.rel(path), self.text(path)
        if text is None:
            return None
        try:
            parsed = parse(text)
        except YamlSyntaxError as exc:
            self.found.append(finding("V001", file, exc.line, "", exc.message,
                                      "fix the YAML here: indent with spaces, and quote values that contain ': ' "
                                      "or start with one of [ ] { } * & ! | > % @ `"))
            return None
        self.lines[file] = parsed.lines
        for dup in parsed.duplicates:
            self.found.append(finding("V002", file, dup.line, dotted(dup.path),
                                      f"key given twice (first on line {dup.first_line}); the last one wins",
                                      "keep one of them"))
        data = {} if parsed.data is None else parsed.data
        found, wrong_type = schema_check.check(kind, file, data, parsed.lines)
        self.found.extend(found)
        data = _prune(data, wrong_type)
        return data if isinstance(data, dict) else {}

    def settings(self) -> OrgSettings | None:
        path = self.root / SETTINGS_FILE
        if not path.is_file():
            self.found.append(finding("V401", SETTINGS_FILE, 1, "", "vend.yaml is missing",
                                      "create vend.yaml at the repository root (see the README's Repository format section)"))
            return None
        data = self.yaml(path, "vend")
        return None if data is None else specs.settings(data, SETTINGS_FILE, self.lines.get(SETTINGS_FILE))

    def ous(self) -> tuple[OuSpec | None, dict[OuPath, OuSpec]]:
        base = self.root / "ous"
        if not base.is_dir():
            return None, {}
        root_ou = None
        if (base / OU_FILE).is_file():
            data = self.yaml(base / OU_FILE, "root")
            root_ou = specs.ou(ROOT, data or {}, self.source(base / OU_FILE, data), self.lines.get(self.rel(base / OU_FILE)))
        ous: dict[OuPath, OuSpec] = {}
        self._walk_ous(base, (), ous)
        return root_ou, ous

    def _walk_ous(self, folder: Path, path: OuPath, ous: dict[OuPath, OuSpec]) -> None:
        entries = sorted(p for p in folder.iterdir() if not _ignored(p))
        for entry in entries:
            if entry.is_dir():
                self._walk_ous(entry, path + (entry.name,), ous)
            elif entry.name != OU_FILE:
                self.stray(entry, "ous/ holds folders with one ou.yaml each; rename it to ou.yaml or move it")
        if path == ROOT:
            return
        file = folder / OU_FILE
        if file.is_file():
            data = self.yaml(file, "ou")
            ous[path] = specs.ou(path, data or {}, self.source(file, data), self.lines.get(self.rel(file)))
        elif entries:
            self.found.append(finding("V020", self.rel(file), 1, "",
                                      f"folder {self.rel(folder)} holds OUs or files but has no {OU_FILE}",
                                      "every folder under ous/ is an OU: add an ou.yaml (it may be empty)"))

    def accounts(self) -> list[AccountSpec]:
        base = self.root / "accounts"
        found: list[AccountSpec] = []
        if not base.is_dir():
            return found
        for path in sorted(base.rglob("*")):
            if any(_ignored(Path(part)) for part in path.relative_to(base).parts) or path.is_dir():
                continue
            if path.suffix != ".yaml":
                self.stray(path, "accounts are accounts/**/<name>.yaml files (extension .yaml)")
                continue
            data = self.yaml(path, "account")
            account = specs.account(data, self.source(path, data), self.lines.get(self.rel(path))) if data is not None else None
            if account is not None:
                found.append(account)
        return found

    def policies(self, policies_dir: str) -> dict[tuple[str, str], PolicySpec]:
        base = (self.root / policies_dir).resolve()
        policies: dict[tuple[str, str], PolicySpec] = {}
        if not base.is_relative_to(self.root.resolve()) or not base.is_dir():
            return policies  # outside the repository (already a schema finding) or none yet
        base = self.root / policies_dir
        folders = {name: policy_type for policy_type, name in POLICY_FOLDERS.items()}
        for entry in sorted(p for p in base.iterdir() if not _ignored(p)):
            if entry.name not in folders or not entry.is_dir():
                self.stray(entry, f"{policies_dir}/ holds the folders " + " and ".join(sorted(folders)))
                continue
            for path in sorted(p for p in entry.iterdir() if not _ignored(p)):
                if path.suffix != ".json" or not path.is_file():
                    self.stray(path, f"policies are {self.rel(entry)}/<name>.json files")
                    continue
                spec = self._policy(path, folders[entry.name])
                if spec is not None:
                    policies[(spec.type, spec.name)] = spec
        return policies

    def _policy(self, path: Path, policy_type: str) -> PolicySpec | None:
        self.policy_files.add((policy_type, path.stem))
        text = self.text(path)
        if text is None:
            return None
        spec, found = rules_policies.read(self.rel(path), path.stem, policy_type, text)
        self.found.extend(found)
        return spec


def _prune(data: Any, paths: list[JsonPath]) -> Any:
    """Drop the values at `paths` (deepest and highest index first, so indexes stay valid)."""

    def order(path: JsonPath) -> tuple[int, tuple[tuple[int, Any], ...]]:
        return len(path), tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in path)

    for path in sorted(set(paths), key=order, reverse=True):
        if not path:
            return None
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an ancestor was dropped already
    return data
