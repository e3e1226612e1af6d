"""Which parts of the live organization an import describes, and why it leaves out the rest.

Everything imported must plan `No changes.` right away, so whatever vend would change at once
(an account without an `owner` tag, an OU Control Tower has not registered, a name whose file
would clash) is left out and reported, never written in a form that loses something.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vending.model.live import LiveAccount, LiveOrg, LiveOu, ProvisionedAccount
from vending.model.repo_files import ignored
from vending.model.rules_values import account_name_problem, account_stem, email_problem, ou_name_problem
from vending.model.types import FULL_AWS_ACCESS, ROOT, SCP, OrgSettings, OuPath, path_str
from vending.plan.diff_policies import service_managed
from vending.errors import ImportRefused

CLOSED = ("SUSPENDED", "PENDING_CLOSURE")
OU_FILE = "ou.yaml"


@dataclass(frozen=True)
class Account:
    """One account to write: its live side, its file stem and the state it is written with."""

    live: LiveAccount
    stem: str
    ou: OuPath
    state: str = "active"


@dataclass
class Selection:
    """What the import writes: OUs by path (`full` ones with their accounts and tag defaults,
    the others only as the folders their descendants or the quarantine OU need), accounts,
    policies by id, and a line per thing left out."""

    live: LiveOrg
    whole: bool
    """The whole organization (the root's ous/ou.yaml is written), not an --ou subtree."""
    ous: dict[OuPath, LiveOu] = field(default_factory=dict)
    full: set[OuPath] = field(default_factory=set)
    accounts: list[Account] = field(default_factory=list)
    policies: set[str] = field(default_factory=set)
    controls: dict[OuPath, tuple[str, ...]] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def select(live: LiveOrg, settings: OrgSettings, subtree: OuPath | None = None) -> Selection:
    if SCP not in live.enabled_policy_types:
        raise ImportRefused(
            "service control policies are not enabled in this organization, and vend keeps at least"
            " one SCP on every OU (AWS's FullAWSAccess by default): enable them (EnablePolicyType"
            " SERVICE_CONTROL_POLICY on the root), then import again"
        )
    chosen = Selection(live, whole=not subtree)
    control_tower = settings.account_factory == "control-tower" and live.control_tower is not None
    ous = _ous(live, chosen, control_tower)
    if subtree:
        if subtree not in ous:
            known = ", ".join(path_str(p) for p in sorted(ous) if p) or "none"
            raise ImportRefused(f"--ou {path_str(subtree)}: no such OU can be imported (OUs: {known})")
        full = {p for p in ous if p[: len(subtree)] == subtree}
    else:
        full = set(ous)
    quarantine = settings.quarantine_ou
    if quarantine not in ous:
        why = [line for line in chosen.left_out if any(line.startswith(f"OU {path_str(quarantine[:n])} (")
                                                        for n in range(1, len(quarantine) + 1))]
        raise ImportRefused(
            f"vend.yaml: quarantine_ou: {path_str(quarantine)} is not an OU this import can describe"
            + (f" ({'; '.join(why)})" if why else "" if quarantine in _all_paths(live) else " (the organization has no such OU)")
            + "; name an existing OU in vend.yaml, or create that OU, then import again"
        )
    needed = full | {p[:n] for p in full | {quarantine} for n in range(1, len(p) + 1)}
    chosen.ous = {p: ous[p] for p in sorted(needed) if p}
    if subtree:
        chosen.left_out.append(_outside(subtree, ous, needed, [p for p in chosen.ous if p not in full]))
    chosen.full = full
    if control_tower:
        chosen.controls = _controls(live, settings, chosen.ous)
    chosen.accounts = _accounts(live, settings, chosen, ous, control_tower)
    chosen.policies = _policies(live, chosen)
    return chosen


def _outside(subtree: OuPath, ous: dict[OuPath, LiveOu], needed: set[OuPath], bare: list[OuPath]) -> str:
    """What an --ou import leaves out: the OUs it does not write, and the accounts of those it
    writes only because the subtree and the quarantine OU need them."""
    skipped = [path_str(p) for p in sorted(ous) if p and p not in needed]
    line = f"{len(skipped)} OU(s) outside {path_str(subtree)} and their accounts (--ou): {', '.join(skipped) or 'none'}"
    if bare:
        line += (f"; the accounts of {', '.join(path_str(p) for p in bare)} (written for their policies and tags"
                 f" only, as {path_str(subtree)} and the quarantine OU need them)")
    return line


def _all_paths(live: LiveOrg) -> set[OuPath]:
    return {ou.path for ou in live.ous.values()}


def _ous(live: LiveOrg, chosen: Selection, control_tower: bool) -> dict[OuPath, LiveOu]:
    """Importable OUs by path, root included; a left-out OU takes its subtree with it."""
    registered = set()
    if control_tower:
        ct = live.control_tower
        registered = {b.target for b in ct.enabled_baselines if b.baseline == ct.account_baseline}
    children: dict[str, list[LiveOu]] = {}
    for ou in live.ous.values():
        children.setdefault(ou.parent_id or "", []).append(ou)
    found: dict[OuPath, LiveOu] = {ROOT: live.root}
    frontier = [live.root]
    while frontier:
        parent = frontier.pop(0)
        taken: dict[str, LiveOu] = {}
        for ou in sorted(children.get(parent.id, []), key=lambda o: (o.name, o.id)):
            problem = _ou_problem(ou, taken, registered, control_tower, live)
            if problem:
                below = _count_below(ou, children, live)
                chosen.left_out.append(f"OU {path_str(ou.path)} ({ou.id}){below}: {problem}")
                continue
            taken[ou.name.lower()] = ou
            found[ou.path] = ou
            frontier.append(ou)
    return found


def _ou_problem(ou: LiveOu, taken: dict[str, LiveOu], registered: set[str], control_tower: bool,
                live: LiveOrg) -> str | None:
    name = ou.name
    if "/" in name or name in (".", "..", OU_FILE) or ignored(name):
        return f"its name {name!r} cannot be a folder under ous/ (vend reads {OU_FILE}, skips dot-files and *.md)"
    problem = ou_name_problem(name)
    if problem:
        return f"its name {problem}"
    if name.lower() in taken:
        other = taken[name.lower()]
        return (f"its name differs only in case from OU {other.name} ({other.id}), and vend needs"
                " sibling names to differ ignoring case; rename one in AWS")
    if control_tower and live.ou_arn(ou.id) not in registered:
        return "not registered with Control Tower, so vend would register it; register it (or import without it)"
    return None


def _count_below(ou: LiveOu, children: dict[str, list[LiveOu]], live: LiveOrg) -> str:
    """" and the N OU(s) and M account(s) in it": what leaving an OU out takes with it."""
    ids, stack = {ou.id}, list(children.get(ou.id, []))
    while stack:
        node = stack.pop()
        ids.add(node.id)
        stack.extend(children.get(node.id, []))
    accounts = sum(a.parent_id in ids for a in live.accounts.values())
    return f" with the {len(ids) - 1} OU(s) and {accounts} account(s) in it" if len(ids) > 1 or accounts else ""


def _controls(live: LiveOrg, settings: OrgSettings, ous: dict[OuPath, LiveOu]) -> dict[OuPath, tuple[str, ...]]:
    """Controls enabled on each OU, by the short identifier when that names the same ARN."""
    prefix = f"arn:aws:controltower:{settings.home_region}::control/"
    by_target = {live.ou_arn(ou.id): path for path, ou in ous.items()}
    found: dict[OuPath, list[str]] = {}
    for control in live.control_tower.enabled_controls:
        path = by_target.get(control.target)
        if path is not None:
            short = control.control.removeprefix(prefix)
            found.setdefault(path, []).append(short if "/" not in short and ":" not in short else control.control)
    return {path: tuple(sorted(names)) for path, names in found.items()}


def _accounts(live: LiveOrg, settings: OrgSettings, chosen: Selection, ous: dict[OuPath, LiveOu],
              control_tower: bool) -> list[Account]:
    path_of = {ou.id: path for path, ou in ous.items()}
    products = _product_index(live) if control_tower else {}
    picked: dict[str, Account] = {}
    in_scope = chosen.full | ({ROOT} if chosen.whole else set())
    ordered = sorted(live.accounts.values(), key=lambda a: (a.id != live.management_account_id, a.id))
    for account in ordered:
        path = path_of.get(account.parent_id)
        if path is None or path not in in_scope:
            continue
        stem = account_stem(account.name)
        problem, state = _account_problem(account, stem, path, picked, settings, products, live, control_tower)
        if problem:
            chosen.left_out.append(f"account {account.name} ({account.id}) in {path_str(path)}: {problem}")
            continue
        picked[stem] = Account(account, stem, path, state)
    for pending in live.pending_creations:
        chosen.left_out.append(f"account {pending.account_name}: CreateAccount request {pending.request_id} is"
                               " still in progress; import again once it has finished")
    return sorted(picked.values(), key=lambda a: a.stem)


def _account_problem(account: LiveAccount, stem: str, path: OuPath, picked: dict[str, Account],
                     settings: OrgSettings, products: dict[str, ProvisionedAccount], live: LiveOrg,
                     control_tower: bool) -> tuple[str | None, str]:
    """(why the account is left out, or None; the state it is written with)."""
    problem = account_name_problem(account.name)
    if problem:
        return f"its name {problem}", ""
    problem = email_problem(account.email)
    if problem:
        return f"its email {problem} (vend's check of AWS's rules)", ""
    if ignored(stem + ".yaml"):
        return f"its file {stem}.yaml would be a dot-file, which vend does not read", ""
    if stem in picked:
        other = picked[stem].live
        return (f"its name names the same file ({stem}.yaml) as account {other.name} ({other.id}), and vend"
                " knows accounts by name; rename one in AWS and import again"), ""
    if not account.tags.get("owner"):
        return ("it has no `owner` tag, which vend sets on every account from the owner field; tag it in AWS"
                " and import again"), ""
    missing = [k for k in settings.required_tags if not account.tags.get(k)]
    if missing:
        return f"it lacks required_tags {', '.join(missing)} (vend.yaml); tag it in AWS and import again", ""
    if account.status in CLOSED:
        return None, "closed"
    quarantined = path == settings.quarantine_ou
    if not control_tower or account.id == live.management_account_id:
        return None, "suspended" if quarantined else "active"
    enrolled = (products.get("vend-" + stem) or products.get(account.id) or products.get(account.email.lower()))
    if enrolled is not None:
        return None, "active"
    if quarantined:
        return None, "suspended"
    if path == ROOT:
        return "it sits in the root, where Account Factory cannot vend or enroll accounts", ""
    return ("it is not enrolled in Control Tower (no Account Factory provisioned product), so vend would"
            " enroll it; enroll it in the console, or import without it"), ""


def _product_index(live: LiveOrg) -> dict[str, ProvisionedAccount]:
    """Provisioned products by name, account id and email, as the plan finds them."""
    index: dict[str, ProvisionedAccount] = {}
    for product in live.control_tower.provisioned:
        for key in (product.name, product.account_id, (product.email or "").lower()):
            if key:
                index.setdefault(key, product)
    return index


def _policies(live: LiveOrg, chosen: Selection) -> set[str]:
    """Customer-managed policies: every one on a whole import, those attached to an imported
    OU on an --ou import. AWS-managed and Control Tower's own (aws-guardrails-*) never."""
    attached = {pid for ou in chosen.ous.values() for ids in ou.policies.values() for pid in ids}
    if chosen.whole:
        attached |= {pid for ids in live.root.policies.values() for pid in ids}
    picked = set()
    for policy in live.policies.values():
        if policy.aws_managed or service_managed(policy.name):
            if policy.aws_managed and policy.name != FULL_AWS_ACCESS and policy.id in attached:
                chosen.warnings.append(f"AWS-managed policy {policy.name} is attached to an imported target;"
                                       " vend cannot list it, so the plan detaches it")
            continue
        if not chosen.whole and policy.id not in attached:
            continue
        if "/" in policy.name or ignored(policy.name + ".json"):
            chosen.left_out.append(f"policy {policy.name} ({policy.id}): its name cannot be a file name vend reads")
            continue
        picked.add(policy.id)
    return picked
