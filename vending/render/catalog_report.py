"""`vend catalog report` as text: one block per product version, flags first."""
from __future__ import annotations

from vending.plan.catalog_report import CatalogReport


def render_text(report: CatalogReport) -> str:
    lines = ["vend catalog report"]
    for use in report.versions:
        flags = f" [{', '.join(use.flags)}]" if use.flags else ""
        count = len(use.accounts)
        via = f" ({', '.join(use.via)})" if use.via else ""
        lines.append(f"  {use.product} {use.version}{flags}: {count} account{'s' if count != 1 else ''}{via}")
        lines.extend(f"    - {account}{_source(use.sources.get(account, []))}" for account in use.accounts)
        lines.extend(f"    ? {account}: {status} (may still run an earlier version)"
                     for account, status in sorted(use.outdated.items()))
    flagged = [u for u in report.versions if u.flags and (u.accounts or u.outdated)]
    if flagged:
        lines.append("On a deprecated or inactive version: " + "; ".join(
            f"{u.product} {u.version} ({', '.join(u.accounts + sorted(u.outdated))})" for u in flagged))
    lines.append(f"Self-service launches: {report.self_service}")
    lines.extend(f"  unreadable: {account}: {code}" for account, code in report.unreadable.items())
    return "\n".join(lines) + "\n"


def _source(sources: list[str]) -> str:
    """` (self-service: old-bucket)` when an account launched it itself; enforced ones say nothing."""
    own = [s.partition(":")[2] for s in sources if s.startswith("self-service:")]
    return f" (self-service: {', '.join(own)}{'; also enforced' if 'enforced' in sources else ''})" if own else ""
