"""V6xx: baselines, their templates and where OUs and accounts use them.

Per-baseline work (rendering was done by the loader; parsing and cfn-lint here) happens once
per baseline; per-account work is a few dictionary look-ups, so 10,000 accounts stay cheap.
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Collection

from vending.errors import Diagnostic
from vending.model import cfn_template, stackset_template, template_lint
from vending.model.baselines import source_line
from vending.model.codes import finding, quote
from vending.model.types import ROOT, OuPath, path_str
from vending.model.baseline_types import BaselineSpec, FromNetwork

if TYPE_CHECKING:
    from vending.model.rules import Loaded

INLINE_LIMIT = stackset_template.INLINE_LIMIT


def check(loaded: Loaded) -> list[Diagnostic]:
    baselines = loaded.org.baselines
    found: list[Diagnostic] = []
    if not baselines and not _any_reference(loaded):
        return found
    for spec in baselines.values():
        found.extend(_baseline(loaded, spec))
    found.extend(_cycles(loaded))
    found.extend(_ou_references(loaded))
    found.extend(_account_references(loaded))
    return found


def _any_reference(loaded: Loaded) -> bool:
    return any(ou.baselines for ou in loaded.all_ous()) or any(a.baselines for a in loaded.accounts)


def _baseline(loaded: Loaded, spec: BaselineSpec) -> list[Diagnostic]:
    file = spec.source.file
    found: list[Diagnostic] = []
    settings = loaded.settings
    governed = settings.governed_regions if settings else ()
    for i, region in enumerate(spec.regions):
        if governed and region not in governed:
            found.append(finding("V608", file, loaded.line(file, "regions", i), f"regions[{i}]",
                                 f"{region} is not among governed_regions ({', '.join(governed)})",
                                 "deploy baselines only to governed Regions: add it to vend.yaml governed_regions, or drop it here"))
    for i, name in enumerate(spec.depends_on):
        other = loaded.org.baselines.get(name)
        if other is None:
            if name not in loaded.baseline_folders:
                found.append(_unknown(loaded, file, loaded.line(file, "depends_on", i), f"depends_on[{i}]", name))
        elif other.retired and not spec.retired:
            found.append(finding("V613", file, loaded.line(file, "depends_on", i), f"depends_on[{i}]",
                                 f"baseline {quote(name)} is retired", "drop it from depends_on, or retire this baseline too"))
    found.extend(_network(loaded, spec))
    if len(spec.template.encode("utf-8")) > INLINE_LIMIT and not (settings and settings.template_bucket):
        size = len(spec.template.encode("utf-8"))
        found.append(finding("V607", spec.template_file, 1, "",
                             f"the rendered template is {size:,} bytes; a stack set's inline TemplateBody holds at most {INLINE_LIMIT:,}",
                             "set template_bucket in vend.yaml (vend then uploads templates and passes TemplateURL, up to 1 MB), "
                             "or make the template smaller"))
    else:
        found.extend(_final_size(loaded, spec))
    found.extend(_template(loaded, spec))
    return found


def _final_size(loaded: Loaded, spec: BaselineSpec) -> list[Diagnostic]:
    """V607 also when the template fits but will not once every account it reaches has its row
    of per-account values (ids not known yet are counted as twelve digits all the same)."""
    settings = loaded.settings
    if settings is None or settings.template_bucket or spec.retired:
        return []
    if not spec.uses_network() and not any(spec.name in a.baselines for a in loaded.accounts):
        return []
    ids = {a.name: a.pinned_id or f"{i:012d}" for i, a in enumerate(loaded.org.accounts.values())}
    try:
        final = stackset_template.final_template(spec, stackset_template.account_values(loaded.org, spec, ids))
    except (cfn_template.TemplateSyntaxError, stackset_template.TemplateLimitError):
        return []  # cfn-lint reports a broken template; limits beyond 1 MB are the plan's to report
    if final.inline:
        return []
    return [finding("V607", spec.template_file, 1, "",
                    f"with the per-account values of the accounts it reaches, the stack set's template is "
                    f"{final.size:,} bytes; an inline TemplateBody holds at most {INLINE_LIMIT:,}",
                    "set template_bucket in vend.yaml (vend then uploads templates and passes TemplateURL, up to 1 MB)")]


def _network(loaded: Loaded, spec: BaselineSpec) -> list[Diagnostic]:
    file, found = spec.source.file, []
    if loaded.settings is None:
        return found  # vend.yaml is missing or unreadable (reported already)
    plan = loaded.settings.ip_plan
    for name, value in spec.parameters.items():
        if not isinstance(value, FromNetwork):
            continue
        line, field = loaded.line(file, "parameters", name), f"parameters.{name}"
        if plan is None:
            found.append(finding("V614", file, line, field, "takes the account's IP allocation, but vend.yaml has no ip_plan",
                                 "declare ip_plan (pools and prefix_length) in vend.yaml, or give a literal value"))
            continue
        regions = (value.region,) if value.region else spec.regions
        for region in regions:
            if not any(pool.region == region for pool in plan.pools):
                found.append(finding("V614", file, line, field, f"ip_plan has no pool in {region}",
                                     f"add a pool for {region} to vend.yaml ip_plan.pools"))
    return found


def _template(loaded: Loaded, spec: BaselineSpec) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for item in template_lint.lint(spec.template, spec.regions):
        line = source_line(spec.template_source, spec.template, item.line)
        where = "" if line == item.line else f" (rendered line {item.line})"
        found.append(finding("V604", spec.template_file, line or 1, "",
                             f"cfn-lint {item.rule}: {item.message}{where}",
                             f"fix the template; cfn-lint explains {item.rule} at "
                             "https://github.com/aws-cloudformation/cfn-lint/blob/main/docs/rules.md"))
    try:
        template = cfn_template.parse(spec.template)
    except cfn_template.TemplateSyntaxError:
        return found  # cfn-lint reported it (E0000)
    file = spec.source.file
    declared = cfn_template.parameters(template)
    for name in spec.parameters:
        if name not in declared:
            found.append(_undeclared(file, loaded.line(file, "parameters", name), f"parameters.{name}", name, spec, declared))
    for name, declaration in declared.items():
        if "Default" not in declaration and name not in spec.parameters:
            found.append(finding("V606", file, loaded.line(file, "parameters") if "parameters" in _keys(spec) else 1,
                                 "parameters", f"template parameter {quote(name)} has no Default and no value here",
                                 f"give {name} a value under parameters (a string, or {{from: network}}), or a Default in the template"))
    listed = set(spec.capabilities)
    for capability, needer in sorted(cfn_template.required_capabilities(template).items()):
        enough = listed & ({"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} if capability == "CAPABILITY_IAM" else {capability})
        if not enough:
            line = loaded.line(file, "capabilities") if "capabilities" in _keys(spec) else 1
            found.append(finding("V610", file, line, "capabilities", f"{needer} needs {capability}",
                                 f"add {capability} to capabilities (it acknowledges what the template may create)"))
    return found


def _keys(spec: BaselineSpec) -> set[str]:
    return {key for key, _ in spec.source.fields}


def _undeclared(file: str, line: int, field: str, name: str, spec: BaselineSpec,
                declared: Collection[str]) -> Diagnostic:
    known = ", ".join(sorted(declared)) or "none"
    return finding("V605", file, line, field, f"{spec.template_file} declares no parameter {quote(name)}",
                   f"declared parameters: {known}; add it to the template's Parameters, or remove it here")


def _unknown(loaded: Loaded, file: str, line: int, field: str, name: str) -> Diagnostic:
    known = ", ".join(sorted(loaded.baseline_folders)) or "none yet"
    return finding("V601", file, line, field, f"no baseline {quote(name)} (no baselines/{name}/baseline.yaml)",
                   f"known baselines: {known}")


def _cycles(loaded: Loaded) -> list[Diagnostic]:
    """V609, once per cycle, on the baseline of the cycle that sorts first."""
    baselines, found, reported = loaded.org.baselines, [], set()
    for start in sorted(baselines):
        path = _cycle_from(start, baselines)
        if path and frozenset(path) not in reported:
            reported.add(frozenset(path))
            spec = baselines[path[0]]
            file = spec.source.file
            index = spec.depends_on.index(path[1])
            found.append(finding("V609", file, loaded.line(file, "depends_on", index), f"depends_on[{index}]",
                                 "dependency cycle: " + " -> ".join(path + [path[0]]),
                                 "stack sets deploy in depends_on order, so the chain must end: remove one of these depends_on entries"))
    return found


def _cycle_from(start: str, baselines: dict[str, BaselineSpec]) -> list[str] | None:
    """The cycle through `start`, smallest names first at each step; None when there is none."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        name, path = stack.pop()
        for nxt in sorted(baselines[name].depends_on, reverse=True):
            if nxt == start:
                return path
            if nxt in baselines and nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def _ou_references(loaded: Loaded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    listed_at: dict[OuPath, set[str]] = {}
    for ou in loaded.all_ous():
        listed_at[ou.path] = {ref.name for ref in ou.baselines}
    for ou in loaded.all_ous():
        for i, ref in enumerate(ou.baselines):
            file, line = ref.at.rsplit(":", 1)
            field = f"baselines[{i}]"
            spec = loaded.org.baselines.get(ref.name)
            if spec is None:
                if ref.name not in loaded.baseline_folders:
                    found.append(_unknown(loaded, file, int(line), field, ref.name))
                continue
            if spec.retired and not ou.retired:
                found.append(finding("V613", file, int(line), field, f"baseline {quote(ref.name)} is retired",
                                     "remove it from this OU's baselines (retiring deletes its stack set)"))
            for depth in range(len(ou.path) - 1, -1, -1):
                ancestor = ou.path[:depth]
                if ref.name in listed_at.get(ancestor, ()):
                    found.append(finding("V612", file, int(line), field,
                                         f"{ref.name} is also listed on {path_str(ancestor)}, which already covers this OU",
                                         f"remove it here: the stack set targets {path_str(ancestor)}, and AWS's OU targets include every child OU"))
                    break
    return found


def _account_references(loaded: Loaded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    reach: dict[OuPath, frozenset[str]] = {}

    def reaching(path: OuPath) -> frozenset[str]:
        if path not in reach:
            spec = loaded.org.ou(path)
            own = frozenset(ref.name for ref in spec.baselines) if spec else frozenset()
            reach[path] = own | (reaching(path[:-1]) if path != ROOT else frozenset())
        return reach[path]

    for account in loaded.accounts:
        for name, entry in account.baselines.items():
            file, line = entry.at.rsplit(":", 1)
            field = f"baselines.{name}"
            spec = loaded.org.baselines.get(name)
            if spec is None:
                if name not in loaded.baseline_folders:
                    found.append(_unknown(loaded, file, int(line), field, name))
                continue
            if spec.retired:
                found.append(finding("V613", file, int(line), field, f"baseline {quote(name)} is retired",
                                     "remove this entry"))
                continue
            if name not in reaching(loaded.org.placement(account)):
                found.append(finding("V611", file, int(line), field,
                                     f"{name} is not listed on {path_str(account.ou)} or any OU above it, so it never reaches this account",
                                     f"list {name} in the baselines of an OU above the account, or remove this entry"))
            declared = _declared(spec)
            for param in entry.parameters:
                pline = loaded.line(file, "baselines", name, "parameters", param)
                if declared is not None and param not in declared:
                    found.append(_undeclared(file, pline, f"{field}.parameters.{param}", param, spec, declared))
                elif isinstance(spec.parameters.get(param), FromNetwork):
                    found.append(finding("V616", file, pline, f"{field}.parameters.{param}",
                                         f"{name} takes {param} from the account's IP allocation",
                                         "change the account's network block instead (remove it and run `vend allocate`, "
                                         "or write the block you need), and remove this parameter"))
    return found


def _declared(spec: BaselineSpec) -> frozenset[str] | None:
    return _declared_in(spec.template)


@lru_cache(maxsize=256)
def _declared_in(template: str) -> frozenset[str] | None:
    """The template's parameter names, parsed once per rendered template (None: unreadable)."""
    try:
        return frozenset(cfn_template.parameters(cfn_template.parse(template)))
    except cfn_template.TemplateSyntaxError:
        return None
