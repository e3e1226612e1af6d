"""Read the repository (vend.yaml, ous/, accounts/, policies) into a DesiredOrg.

Pure: files in, model or diagnostics out; no AWS. Every file is read even after a broken one,
so `vend validate` lists all problems at once.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from vending.errors import Diagnostic, ValidationFailed
from vending.model import baselines as baseline_files
from vending.model import catalog_enforced
from vending.model import catalog as catalog_files
from vending.model import marketplace as marketplace_files
from vending.model import rules, rules_policies, schema_check, settings_files, specs, template_lint
from vending.model.codes import finding
from vending.model.derived_cache import NO_CACHE, DerivedCache
from vending.model.repo_files import Entry, Files
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


def load(root: Path, cache: DerivedCache = NO_CACHE) -> DesiredOrg:
    """The desired organization; raises ValidationFailed with every finding if there is any.
    `cache` keeps what is derived from unchanged content (compiled schemas, cfn-lint findings)."""
    org, found = _read(Path(root), cache)
    if any(d.severity == "error" for d in found):
        raise ValidationFailed(found)
    return org


def validate(root: Path, cache: DerivedCache = NO_CACHE) -> list[Diagnostic]:
    """Every finding in the repository, sorted by file and line (empty when it is valid)."""
    return sorted(_read(Path(root), cache)[1])


def read(root: Path, cache: DerivedCache = NO_CACHE) -> tuple[DesiredOrg, list[Diagnostic]]:
    """The organization as far as it could be read, and every finding (for tools such as
    `vend allocate` that fix some findings themselves)."""
    org, found = _read(Path(root), cache)
    return org, sorted(found)


def _read(root: Path, cache: DerivedCache) -> tuple[DesiredOrg, list[Diagnostic]]:
    repo = _Repo(root, cache)
    settings = repo.settings()
    policies_dir = (settings or _NO_SETTINGS).policies_dir
    root_ou, ous = repo.ous()
    accounts = repo.accounts()
    policies = repo.policies(policies_dir)
    baselines, baseline_folders = baseline_files.read_all(repo, settings)
    permission_sets = settings_files.read_permission_sets(repo)
    catalog = catalog_files.read_all(repo)
    marketplace = marketplace_files.read_all(repo)
    by_name: dict[str, AccountSpec] = {}
    for account in accounts:
        by_name.setdefault(account.name, account)
    org = DesiredOrg(settings=settings or _NO_SETTINGS, root=root_ou, ous=ous, accounts=by_name, policies=policies,
                     baselines=baselines, permission_sets=permission_sets, catalog=catalog,
                     marketplace=marketplace)
    loaded = rules.Loaded(org=org, settings=settings, accounts=tuple(accounts), lines=repo.lines,
                          policy_files=frozenset(repo.policy_files),
                          baseline_folders=baseline_folders)
    with template_lint.kept_in(cache):
        return catalog_enforced.with_enforced(org), _prefer_rules(repo.found + rules.check(loaded))


def _prefer_rules(found: list[Diagnostic]) -> list[Diagnostic]:
    """A rule's precise finding replaces the schema's generic bad-value finding on one field."""
    ruled = {(d.file, d.field) for d in found if not d.code.startswith("V0")}
    return [d for d in found if not (d.code == "V013" and (d.file, d.field) in ruled)]


class _Repo:
    """The repository on disk; collects the diagnostics and line tables of what it reads."""

    def __init__(self, root: Path, cache: DerivedCache = NO_CACHE):
        self.cache = cache
        self.found: list[Diagnostic] = []
        self.lines: dict[str, Lines] = {}
        self.policy_files: set[tuple[str, str]] = set()
        self.files = Files(root, self.found)
        self.root = self.files.root

    def stray(self, entry: Entry, expected: str) -> None:
        kind = "folder" if entry.kind == "dir" else "file"
        self.found.append(finding("V021", entry.rel, 1, "", f"vend does not read this {kind}", expected))

    def named_like_a_file(self, entry: Entry, expected: str) -> None:
        self.found.append(finding("V025", entry.rel, 1, "", f"this is a folder, but vend reads {entry.name} as a file",
                                  expected))

    def source(self, entry: Entry, data: dict[str, Any] | None) -> Source:
        """The file, with the line of each top-level key it wrote."""
        lines = self.lines.get(entry.rel)
        keys = sorted(data or {}) if lines else []
        return Source(entry.rel, 1, tuple((key, lines.at((key,))) for key in keys))

    def yaml(self, entry: Entry, kind: str) -> dict[str, Any] | None:
        """Parsed and schema-checked data, minus values of the wrong type; None if unreadable."""
        file, text = entry.rel, self.files.read(entry)
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
        found, wrong_type = schema_check.check(kind, file, data, parsed.lines, self.cache)
        self.found.extend(found)
        data = _prune(data, wrong_type)
        return data if isinstance(data, dict) else {}

    def folder(self, name: str) -> Entry | None:
        """A top-level folder (ous, accounts, the policies folder), if there is one to walk."""
        entry = self.files.entry(self.root, name)
        if entry is None or entry.kind == "broken":
            return None
        if entry.kind != "dir":
            self.found.append(finding("V021", entry.rel, 1, "", f"vend reads {name}/ as a folder, and this is a file",
                                      f"move the file away and create the folder {name}/"))
            return None
        return entry if self.files.enter(entry) else None

    def settings(self) -> OrgSettings | None:
        entry = self.files.entry(self.root, SETTINGS_FILE)
        if entry is None:
            self.found.append(finding("V401", SETTINGS_FILE, 1, "", "vend.yaml is missing",
                                      "create vend.yaml at the repository root (see the README's Repository format section)"))
            return None
        if entry.kind == "dir":
            self.named_like_a_file(entry, "vend.yaml is the file of organization settings: rename the folder")
            return None
        data = self.yaml(entry, "vend") if entry.kind != "broken" else None
        return None if data is None else specs.settings(data, SETTINGS_FILE, self.lines.get(SETTINGS_FILE))

    def ous(self) -> tuple[OuSpec | None, dict[OuPath, OuSpec]]:
        base = self.folder("ous")
        ous: dict[OuPath, OuSpec] = {}
        root_ou = self._walk_ous(base, ROOT, ous) if base else None
        return root_ou, ous

    def _walk_ous(self, folder: Entry, path: OuPath, ous: dict[OuPath, OuSpec]) -> OuSpec | None:
        """Walk one OU folder (and those below); returns the root's spec when `path` is ROOT."""
        entries = self.files.children(folder)
        ou_file = None
        for entry in entries:
            if entry.name == OU_FILE:
                ou_file = entry
                if entry.kind == "dir":
                    self.named_like_a_file(entry, f"{OU_FILE} is the OU's settings file: rename the folder")
            elif entry.kind == "dir":
                if self.files.enter(entry):
                    self._walk_ous(entry, path + (entry.name,), ous)
            elif entry.kind != "broken":
                self.stray(entry, "ous/ holds folders with one ou.yaml each; rename it to ou.yaml or move it")
        if ou_file is not None and ou_file.kind not in ("dir", "broken"):
            data = self.yaml(ou_file, "root" if path == ROOT else "ou")
            spec = specs.ou(path, data or {}, self.source(ou_file, data), self.lines.get(ou_file.rel))
            if path == ROOT:
                return spec
            ous[path] = spec
        elif ou_file is None and entries and path != ROOT:
            self.found.append(finding("V020", f"{folder.rel}/{OU_FILE}", 1, "",
                                      f"folder {folder.rel} holds OUs or files but has no {OU_FILE}",
                                      "every folder under ous/ is an OU: add an ou.yaml (it may be empty)"))
        return None

    def accounts(self) -> list[AccountSpec]:
        base = self.folder("accounts")
        found: list[AccountSpec] = []
        if base is not None:
            self._walk_accounts(base, found)
        return found

    def _walk_accounts(self, folder: Entry, found: list[AccountSpec]) -> None:
        for entry in self.files.children(folder):
            if entry.kind == "broken":
                continue
            if not entry.name.endswith(".yaml"):
                if entry.kind == "dir":
                    if self.files.enter(entry):
                        self._walk_accounts(entry, found)
                else:
                    self.stray(entry, "accounts are accounts/**/<name>.yaml files (extension .yaml)")
            elif entry.kind == "dir":
                self.named_like_a_file(entry, "accounts/**/<name>.yaml are account files: rename the folder")
            elif self.files.claim(entry, "account"):
                data = self.yaml(entry, "account")
                account = specs.account(data, self.source(entry, data), self.lines.get(entry.rel)) if data is not None else None
                if account is not None:
                    found.append(account)

    def policies(self, policies_dir: str) -> dict[tuple[str, str], PolicySpec]:
        policies: dict[tuple[str, str], PolicySpec] = {}
        resolved = (self.root.path / policies_dir).resolve()
        if not resolved.is_relative_to(Path(self.root.real)):
            return policies  # outside the repository: already a schema finding
        base = self.folder(policies_dir)
        if base is None:
            return policies  # none yet
        folders = {name: policy_type for policy_type, name in POLICY_FOLDERS.items()}
        expected = f"{policies_dir}/ holds the folders " + " and ".join(sorted(folders))
        for entry in self.files.children(base):
            if entry.kind == "broken":
                continue
            if entry.name not in folders or entry.kind != "dir":
                self.stray(entry, expected)
                continue
            if not self.files.enter(entry):
                continue
            for path in self.files.children(entry):
                if path.kind == "broken":
                    continue
                if not path.name.endswith(".json"):
                    self.stray(path, f"policies are {entry.rel}/<name>.json files")
                elif path.kind == "dir":
                    self.named_like_a_file(path, f"policies are {entry.rel}/<name>.json files: rename the folder")
                else:
                    spec = self._policy(path, folders[entry.name])
                    if spec is not None:
                        policies[(spec.type, spec.name)] = spec
        return policies

    def _policy(self, entry: Entry, policy_type: str) -> PolicySpec | None:
        name = entry.name[: -len(".json")]
        self.policy_files.add((policy_type, name))
        text = self.files.read(entry)
        if text is None:
            return None
        spec, found = rules_policies.read(entry.rel, name, policy_type, text)
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
