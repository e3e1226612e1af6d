"""The template a baseline's stack set is created with: the rendered template plus the values
that differ per account, as Mappings keyed by account id.

Why Mappings: parameter overrides of a SERVICE_MANAGED stack set never reach accounts that
auto-deployment adds later, and each override is one more operation on a stack set that runs
one operation at a time (aws-facts §14a). A Mappings table in the template reaches every
instance, including a new account's first deployment, in one UpdateStackSet.

Shape (README, Design: per-account values):
- rows `VendAccounts1..N`, at most 200 account ids each (CloudFormation allows 200 mappings and
  200 keys and attributes per mapping), sorted by id;
- an attribute per parameter (`FlowLogTraffic`), or per parameter and Region for values that
  differ by Region (`VpcCidruseast1`: attribute names are alphanumeric);
- every use of a varying parameter (`Ref`, `${...}` in `Fn::Sub`) becomes a chain of
  `Fn::FindInMap` over the shards, each falling back (DefaultValue) to the next, which needs the
  AWS::LanguageExtensions transform (hence CAPABILITY_AUTO_EXPAND). The last fallback is the
  stack set's own parameter value for overrides; values from the IP plan have no safe default,
  so their parameter is removed and an account without a row fails loudly instead of
  deploying someone else's CIDR.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from vending.errors import VendError
from vending.model import cfn_template
from vending.model.live_baselines import canonical_template
from vending.model.ip_plan import reaching
from vending.model.types import DesiredOrg, OuPath
from vending.model.baseline_types import BaselineSpec, FromNetwork

INLINE_LIMIT = 51_200
URL_LIMIT = 1_000_000
"""TemplateBody and TemplateURL maxima in bytes (aws-facts §4.3)."""
MAX_MAPPINGS = 200
MAX_KEYS_PER_MAPPING = 200
"""CloudFormation quotas page: 200 mappings, 200 attributes per mapping (cfn-lint enforces 200
top-level keys and 200 second-level keys per mapping, so rows are capped at 200 accounts)."""
MAPPING_PREFIX = "VendAccounts"
_SHARD = re.compile(MAPPING_PREFIX + r"[0-9]+")
TRANSFORM = "AWS::LanguageExtensions"

AccountValues = dict[str, "str | dict[str, str]"]
"""Parameter -> a value, or Region -> value for values that differ by Region."""


class TemplateLimitError(VendError):
    """The final template would break a CloudFormation limit (mappings, size)."""


@dataclass(frozen=True)
class FinalTemplate:
    """What CreateStackSet/UpdateStackSet gets: the body, and how it must be sent."""

    body: str
    capabilities: tuple[str, ...]
    parameters: tuple[str, ...]
    """Parameters the stack set still passes (those from the IP plan live in the mappings)."""

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8"))

    @property
    def inline(self) -> bool:
        """True: TemplateBody; False: upload to template_bucket and pass TemplateURL."""
        return self.size <= INLINE_LIMIT


def account_values(org: DesiredOrg, spec: BaselineSpec, ids: Mapping[str, str]) -> dict[str, AccountValues]:
    """Account id -> its own values for this baseline: overrides from its file and its IP
    allocations, for every account the baseline reaches whose id is known (`ids` by account
    name, e.g. read from the live organization; a pinned `id:` also counts). A new account
    gets its row in the first update after its id exists."""
    network = {name: v for name, v in spec.parameters.items() if isinstance(v, FromNetwork)}
    memo: dict[OuPath, frozenset[str]] = {}
    rows: dict[str, AccountValues] = {}
    for account in org.accounts.values():
        account_id = ids.get(account.name) or account.pinned_id
        entry = account.baselines.get(spec.name)
        if not account_id or account.state == "closed" or (entry and entry.exclude) or spec.name not in reaching(org, org.placement(account), memo):
            continue
        row: AccountValues = dict(entry.parameters) if entry else {}
        for name, ref in network.items():
            if ref.region:
                if ref.region in account.network:
                    row[name] = account.network[ref.region].cidr
            else:
                row[name] = {r: account.network[r].cidr for r in spec.regions if r in account.network}
        if any(row.values()):
            rows[account_id] = row
    return rows


def final_template(spec: BaselineSpec, rows: Mapping[str, AccountValues]) -> FinalTemplate:
    """The stack set's template for these per-account rows (see the module docstring)."""
    template = cfn_template.parse(spec.template)
    declared = cfn_template.parameters(template)
    network = {n for n, v in spec.parameters.items() if isinstance(v, FromNetwork)}
    varying = sorted(network | {p for row in rows.values() for p in row})
    if not varying or not rows:
        # No account has a row yet (ids unknown): the template as rendered; a parameter from the
        # IP plan then has no value, so the stack set cannot deploy anyone's wrong CIDR.
        return FinalTemplate(spec.template, spec.capabilities, tuple(declared))
    regional = {p for p in varying if any(isinstance(row.get(p), dict) for row in rows.values())}
    regional |= {n for n in network if spec.parameters[n].region is None}  # type: ignore[union-attr]
    shards = _shards(rows)
    existing = template.get("Mappings") or {}
    if len(existing) + len(shards) > MAX_MAPPINGS:
        raise TemplateLimitError(
            f"baseline {spec.name}: {len(rows)} accounts need {len(shards)} mappings of {MAX_KEYS_PER_MAPPING}, "
            f"the template has {len(existing)} of its own, and CloudFormation allows {MAX_MAPPINGS}")
    lookups = {p: _lookup(p, p in regional, len(shards), fallback=None if p in network else {"Ref": p}) for p in varying}
    body = {key: _substitute(value, lookups) if key not in ("Parameters", "Mappings") else value
            for key, value in template.items()}
    body["Transform"] = _with_transform(template.get("Transform"))
    body["Mappings"] = {**existing, **{f"{MAPPING_PREFIX}{i + 1}": shard for i, shard in enumerate(shards)}}
    kept = {n: d for n, d in declared.items() if n not in network}
    if "Parameters" in template:
        body["Parameters"] = kept
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    if len(text.encode("utf-8")) > URL_LIMIT:
        raise TemplateLimitError(f"baseline {spec.name}: the template with {len(rows)} accounts' values is "
                                 f"{len(text.encode('utf-8')):,} bytes; TemplateURL allows {URL_LIMIT:,}")
    capabilities = tuple(sorted(set(spec.capabilities) | {"CAPABILITY_AUTO_EXPAND"}))
    return FinalTemplate(text, capabilities, tuple(kept))


def attribute(parameter: str, region: str | None = None) -> str:
    """A mapping attribute name: the parameter, plus the Region without dashes when regional."""
    return parameter + (region.replace("-", "") if region else "")


def flat_rows(rows: Mapping[str, AccountValues]) -> dict[str, dict[str, str]]:
    """Account id -> its mapping attributes (`VpcCidruseast1`), as the Mappings hold them;
    accounts without any value are left out."""
    flat: dict[str, dict[str, str]] = {}
    for account_id in sorted(rows):
        attributes: dict[str, str] = {}
        for parameter, value in sorted(rows[account_id].items()):
            if isinstance(value, dict):
                attributes.update({attribute(parameter, r): v for r, v in sorted(value.items())})
            else:
                attributes[attribute(parameter)] = value
        if attributes:
            flat[account_id] = attributes
    return flat


def split(text: str) -> tuple[str, dict[str, dict[str, str]]]:
    """A stack set's template (as vend sent it, or read back from AWS) as the canonical JSON of
    the template without vend's `VendAccountsN` mappings, and the per-account rows they held.
    The plan compares and shows the two apart: the template as a document, the rows per
    account. A template that does not parse comes back stripped, with no rows."""
    canonical = canonical_template(text)
    try:
        body = json.loads(canonical)
    except ValueError:
        return canonical, {}
    if not isinstance(body, dict):
        return canonical, {}
    mappings = body.get("Mappings")
    rows: dict[str, dict[str, str]] = {}
    if isinstance(mappings, dict):
        own = {}
        for name, mapping in mappings.items():
            if _SHARD.fullmatch(str(name)) and isinstance(mapping, dict):
                rows.update({str(k): dict(v) for k, v in mapping.items() if isinstance(v, dict)})
            else:
                own[name] = mapping
        if own:
            body["Mappings"] = own
        else:
            del body["Mappings"]
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False), dict(sorted(rows.items()))


def assemble(template: str, rows: Mapping[str, Mapping[str, str]]) -> str:
    """The body to send: `template` (as `split` gives it) with the rows (account id ->
    attributes) as `VendAccounts1..N` mappings of at most 200 accounts each, sorted by id, the
    same shards `final_template` refers to."""
    body = json.loads(template)
    flat = sorted((account_id, dict(values)) for account_id, values in rows.items() if values)
    if flat:
        shards = [dict(flat[i:i + MAX_KEYS_PER_MAPPING]) for i in range(0, len(flat), MAX_KEYS_PER_MAPPING)]
        body["Mappings"] = {**(body.get("Mappings") or {}),
                            **{f"{MAPPING_PREFIX}{i + 1}": shard for i, shard in enumerate(shards)}}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _shards(rows: Mapping[str, AccountValues]) -> list[dict[str, dict[str, str]]]:
    flat = list(flat_rows(rows).items())
    return [dict(flat[i:i + MAX_KEYS_PER_MAPPING]) for i in range(0, len(flat), MAX_KEYS_PER_MAPPING)]


def _lookup(parameter: str, regional: bool, shards: int, fallback: Any) -> Any:
    """FindInMap over every shard, the last falling back to `fallback` (None: no fallback)."""
    key: Any = parameter
    if regional:
        region = {"Fn::Join": ["", {"Fn::Split": ["-", {"Ref": "AWS::Region"}]}]}
        key = {"Fn::Join": ["", [parameter, region]]}
    expression = fallback
    for index in range(shards, 0, -1):
        args: list[Any] = [f"{MAPPING_PREFIX}{index}", {"Ref": "AWS::AccountId"}, key]
        if expression is not None:
            args.append({"DefaultValue": expression})
        expression = {"Fn::FindInMap": args}
    return expression


def _substitute(node: Any, lookups: dict[str, Any]) -> Any:
    """`node` with every Ref to (and ${} of) a varying parameter replaced by its lookup."""
    if isinstance(node, list):
        return [_substitute(item, lookups) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1 and "Ref" in node and node["Ref"] in lookups:
        return lookups[node["Ref"]]
    if len(node) == 1 and "Fn::Sub" in node:
        return {"Fn::Sub": _sub(node["Fn::Sub"], lookups)}
    return {key: _substitute(value, lookups) for key, value in node.items()}


def _sub(value: Any, lookups: dict[str, Any]) -> Any:
    text, variables = (value, {}) if isinstance(value, str) else (value[0], dict(value[1]) if len(value) > 1 else {})
    if not isinstance(text, str):
        return _substitute(value, lookups)
    variables = {k: _substitute(v, lookups) for k, v in variables.items()}
    for name in sorted(set(re.findall(r"\$\{([A-Za-z0-9]+)\}", text))):
        if name in lookups and name not in variables:
            variables[name] = lookups[name]
    return [text, variables] if variables else text


def _with_transform(transform: Any) -> Any:
    """The template's transforms with AWS::LanguageExtensions first (it must run before others)."""
    others = [] if transform is None else ([transform] if isinstance(transform, str) else list(transform))
    others = [t for t in others if t != TRANSFORM]
    return TRANSFORM if not others else [TRANSFORM, *others]
