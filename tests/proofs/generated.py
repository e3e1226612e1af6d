"""Generated organizations for the property proofs, written as a repository a user would write.

`organizations()` draws an organization A and a successor B. A: a landing zone (Management in
the root, Log Archive and Audit in Security, the Suspended quarantine OU) plus up to 5 OUs in a
tree up to 5 levels deep (names repeat under different parents), up to 3 accounts, OU tags,
default account tags, SCPs and a tag policy, for either account engine. B is A changed the way a
repository changes: new OUs and accounts, moves, retags, suspended accounts, closed accounts and
retired OUs - deletions said explicitly (`retired: true`, `state: closed`), since a missing file
is not a delete. Both respect the model's rules (unique names and emails, depth <= 5, at most 5
SCPs per target, the required tags, no account in a retired OU).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis import strategies as st

from tests.proofs.repos import REPO_ROOT

Path_ = tuple[str, ...]
ENGINES = ("organizations", "control-tower")
NAMES = ("Apps", "Dev", "Prod", "Data")
"""OU names: few, so the same name appears under different parents."""
FIXED_OUS = ("Security", "Suspended")
SCPS = ("deny-leave-organization", "deny-unapproved-regions")
COST_CENTERS = ("platform", "payments", "analytics", "research")
"""The values the example's cost-center tag policy allows."""
LANDING_ZONE = (("Management", "management@example.com", ()),
                ("Log Archive", "log-archive@example.com", ("Security",)),
                ("Audit", "audit@example.com", ("Security",)))
LANDING_ZONE_NAMES = {name for name, _, _ in LANDING_ZONE}
MAX_DEPTH = 5
STATES = ("active", "suspended", "closed")
RETIRING = ENGINES
"""Engines whose successors retire OUs: both (a registered OU is deregistered first)."""


@dataclass(frozen=True)
class Ou:
    path: Path_
    tags: dict[str, str] | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    scps: tuple[str, ...] = ()
    tag_policies: tuple[str, ...] = ()
    full_aws_access: bool = True
    retired: bool = False


@dataclass(frozen=True)
class Account:
    name: str
    email: str
    ou: Path_
    owner: str
    tags: dict[str, str]
    state: str = "active"


@dataclass(frozen=True)
class Org:
    engine: str
    root: Ou
    ous: dict[Path_, Ou]
    accounts: dict[str, Account]

    def live_ous(self) -> list[Path_]:
        return [p for p, ou in self.ous.items() if not ou.retired]

    def generated(self) -> list[Path_]:
        return [p for p in self.live_ous() if p[0] not in FIXED_OUS]


def homes(ous: list[Path_], engine: str) -> list[Path_]:
    return ous if engine == "control-tower" and ous else [()] + ous


tags = st.dictionaries(st.sampled_from(("team", "tier")), st.sampled_from(("a", "b")), max_size=2)
cost = st.sampled_from(COST_CENTERS)


@st.composite
def ou_spec(draw: st.DrawFn, path: Path_) -> Ou:
    return Ou(
        path=path,
        tags=draw(st.one_of(st.none(), tags)),
        defaults=draw(st.dictionaries(st.sampled_from(("environment", "tier")),
                                      st.sampled_from(("dev", "prod")), max_size=1)),
        scps=tuple(draw(st.lists(st.sampled_from(SCPS), unique=True, max_size=2))),
        tag_policies=draw(st.sampled_from(((), ("cost-center",)))),
    )


@st.composite
def new_ous(draw: st.DrawFn, existing: list[Path_], count: int) -> list[Ou]:
    """Up to `count` OUs below the root or `existing` ones (never deeper than 5 levels)."""
    made: list[Ou] = []
    taken = set(existing)
    for _ in range(count):
        parents = [()] + [p for p in existing + [o.path for o in made] if len(p) < MAX_DEPTH]
        deepen = made and len(made[-1].path) < MAX_DEPTH and draw(st.booleans())
        parent = made[-1].path if deepen else draw(st.sampled_from(parents))
        free = [n for n in NAMES if parent + (n,) not in taken]
        if not free:
            continue
        path = parent + (draw(st.sampled_from(free)),)
        taken.add(path)
        made.append(draw(ou_spec(path)))
    return made


@st.composite
def account(draw: st.DrawFn, number: int, ous: list[Path_], needs_cost: bool, engine: str) -> Account:
    """A member account in one of `ous`, or in the root (not through Account Factory, which
    vends only into registered OUs)."""
    own = {"cost-center": draw(cost)} if needs_cost or draw(st.booleans()) else {}
    if draw(st.booleans()):
        own["app"] = f"app{draw(st.integers(0, 3))}"
    return Account(name=f"acct-{number:02d}", email=f"aws+acct-{number:02d}@example.com",
                   ou=draw(st.sampled_from(homes(ous, engine))), owner=f"owner{draw(st.integers(0, 2))}@example.com",
                   tags=own, state=draw(st.sampled_from(("active", "active", "active", "suspended"))))


@st.composite
def organization(draw: st.DrawFn) -> Org:
    engine = draw(st.sampled_from(ENGINES))
    root_cost = draw(st.one_of(st.none(), cost))
    root = Ou((), defaults={"cost-center": root_cost} if root_cost else {},
              scps=tuple(draw(st.lists(st.sampled_from(SCPS), unique=True, max_size=2))),
              tag_policies=draw(st.sampled_from(((), ("cost-center",)))))
    ous = {("Security",): Ou(("Security",), tags={"purpose": "security"}),
           ("Suspended",): Ou(("Suspended",), scps=("quarantine-deny-all",), full_aws_access=False)}
    for ou in draw(new_ous([], draw(st.integers(0, 5)))):
        ous[ou.path] = ou
    generated = [p for p in ous if p[0] not in FIXED_OUS]
    accounts = {name: Account(name, email, ou, "platform@example.com", {"cost-center": "platform"})
                for name, email, ou in LANDING_ZONE}
    for number in range(draw(st.integers(0, 3))):
        acct = draw(account(number, generated or [("Security",)], root_cost is None, engine))
        accounts[acct.name] = acct
    return Org(engine, root, ous, accounts)


@st.composite
def successor(draw: st.DrawFn, a: Org) -> Org:
    """B: A with retired OUs (and everything below them), new OUs, moves, retags, new,
    suspended and closed accounts."""
    ous = dict(a.ous)
    retire = {p for p in a.generated() if draw(st.integers(0, 3)) == 0 and a.engine in RETIRING}
    retire |= {p for p in a.generated() if any(p[:len(r)] == r for r in retire)}
    for path in retire:
        ous[path] = replace(ous[path], retired=True)
    for ou in draw(new_ous(list(ous), draw(st.integers(0, 1)))):
        if not any(ou.path[:len(r)] == r for r in retire):
            ous[ou.path] = ou
    for path in [p for p in ous if p[0] not in FIXED_OUS and not ous[p].retired]:
        if draw(st.integers(0, 3)) == 0:  # retag, new defaults, other policies
            ous[path] = draw(ou_spec(path))
    places = [p for p, ou in ous.items() if not ou.retired and p[0] not in FIXED_OUS] or [("Security",)]
    needs_cost = not a.root.defaults
    accounts = {}
    for name, acct in a.accounts.items():
        if name in LANDING_ZONE_NAMES:
            accounts[name] = acct
            continue
        change = draw(st.sampled_from(("keep", "keep", "move", "retag", "state")))
        if change == "move" or acct.ou in retire:
            acct = replace(acct, ou=draw(st.sampled_from(homes(places, a.engine))))
        if change == "retag":
            acct = replace(acct, tags=draw(account(0, places, needs_cost, a.engine)).tags)
        if change == "state":
            acct = replace(acct, state=draw(st.sampled_from(STATES)))
        accounts[name] = acct
    for number in range(len(a.accounts), len(a.accounts) + draw(st.integers(0, 1))):
        acct = draw(account(number, places, needs_cost, a.engine))
        accounts[acct.name] = acct
    return replace(a, ous=ous, accounts=accounts)


@st.composite
def organizations(draw: st.DrawFn) -> tuple[Org, Org]:
    a = draw(organization())
    return a, draw(successor(a))


# ---------------------------------------------------------------- the repository


def _block(key: str, values: dict[str, str] | tuple[str, ...]) -> list[str]:
    if isinstance(values, dict):
        return [f"{key}:"] + [f"  {k}: {json.dumps(v)}" for k, v in values.items()] if values else []
    return [f"{key}:"] + [f"  - {v}" for v in values] if values else []


def _ou_yaml(ou: Ou) -> str:
    lines = ["description: generated"]
    if ou.tags is not None:
        lines += _block("tags", ou.tags) if ou.tags else ["tags: {}"]
    lines += _block("default_account_tags", ou.defaults) + _block("scps", ou.scps)
    lines += _block("tag_policies", ou.tag_policies)
    if not ou.full_aws_access:
        lines.append("full_aws_access: false")
    if ou.retired:
        lines.append("retired: true")
    return "\n".join(lines) + "\n"


def _account_yaml(acct: Account) -> str:
    lines = [f"name: {acct.name}", f"email: {acct.email}", f"ou: {'/'.join(acct.ou) or 'Root'}",
             f"owner: {acct.owner}"] + _block("tags", acct.tags)
    if acct.state != "active":
        lines.append(f"state: {acct.state}")
    return "\n".join(lines) + "\n"


def write_repo(org: Org, repo: Path) -> Path:
    """Write `org` into `repo` as YAML files, replacing what a previous org wrote there (the
    state directory is kept)."""
    for part in ("ous", "accounts", "policies"):
        target = repo / part
        if target.exists():
            for path in sorted(target.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            target.rmdir()
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "vend.yaml").write_text(
        "version: 1\nhome_region: us-east-1\ngoverned_regions: [us-east-1, eu-west-1]\n"
        f"account_factory: {org.engine}\ntarget:\n  kind: local\n  state_dir: .vend\n"
        "required_tags: [owner, cost-center]\nquarantine_ou: Suspended\napply_concurrency: 4\n")
    (repo / "ous").mkdir()
    (repo / "ous" / "ou.yaml").write_text(_ou_yaml(replace(org.root, tags=None)))
    for ou in org.ous.values():
        folder = repo.joinpath("ous", *ou.path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ou.yaml").write_text(_ou_yaml(ou))
    (repo / "accounts").mkdir()
    for acct in org.accounts.values():
        (repo / "accounts" / f"{acct.name.lower().replace(' ', '-')}.yaml").write_text(_account_yaml(acct))
    for folder, names in (("scp", SCPS + ("quarantine-deny-all",)), ("tag", ("cost-center",))):
        (repo / "policies" / folder).mkdir(parents=True, exist_ok=True)
        for name in names:
            source = REPO_ROOT / "policies" / folder / f"{name}.json"
            (repo / "policies" / folder / f"{name}.json").write_text(source.read_text())
    return repo

