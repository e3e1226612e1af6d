"""Read vend's stack sets (one per baseline) from CloudFormation in the home Region.

Why this shape:
- Only stack sets vend manages: ACTIVE, SERVICE_MANAGED, named `vend-<baseline>` and tagged
  `vend:managed-by=vend` (vending.model.live_baselines). ListStackSets carries no tags, so each
  `vend-` candidate costs one DescribeStackSet, which vend needs anyway for template and values.
- Instances come a page of 100 per stack set (ListStackInstances, with Status, DetailedStatus and
  DriftStatus), never one DescribeStackInstance per account: a plan of 5,000 accounts stays at
  about 50 requests per baseline. Per-account values need no per-instance call either: vend
  keeps them in the template's Mappings, not in ParameterOverrides, which AWS lists nowhere
  centrally (aws-facts §14a).
- Trusted access (DescribeOrganizationsAccess) and the operations in progress (the first page of
  ListStackSetOperations: RUNNING, QUEUED, STOPPING) are read so a plan can say "enable trusted
  access" or wait for an operation a killed apply left behind.
Stack sets are read in parallel, on a small thread pool, like the other readers. With a StackSets
delegated administrator (vend.yaml `stacksets`) the client is that account's and every call says
CallAs DELEGATED_ADMIN (`vending.state.organizations.delegated_admins` says whether it is registered).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from vending.aws.paging import pages
from vending.model.live_baselines import (
    IN_PROGRESS,
    MANAGED_TAG,
    LiveBaselines,
    LiveStackInstance,
    LiveStackSet,
    StackSetOperation,
    baseline_of,
    canonical_template,
)

PAGE_SIZE = 100
"""StackSets lists serve at most 100 items a page (MaxResults 1..100, CFN-API)."""
PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"


class StackSetsReader:
    """Builds `LiveBaselines` from one read-only CloudFormation client of the home Region."""

    def __init__(self, client: Any, region: str, *, workers: int = 4, call_as: str = "SELF") -> None:
        self.client = client
        self.region = region
        self.workers = max(1, workers)
        self.call_as = {"CallAs": call_as} if call_as != "SELF" else {}
        """Passed to every StackSets call (nothing for the management account's own)."""

    def read(self) -> LiveBaselines:
        trusted = self.client.describe_organizations_access(**self.call_as)["Status"] == "ENABLED"
        candidates = [s for s in pages(self.client, "list_stack_sets", "Summaries", page_size=PAGE_SIZE, Status="ACTIVE",
                                       **self.call_as)
                      if baseline_of(s["StackSetName"])]
        foreign = [s["StackSetName"] for s in candidates if s.get("PermissionModel") != "SERVICE_MANAGED"]
        service_managed = [s for s in candidates if s.get("PermissionModel") == "SERVICE_MANAGED"]
        with ThreadPoolExecutor(self.workers) as pool:
            described = list(pool.map(self._stack_set, service_managed))
        managed = {s.baseline: s for s in described if s is not None}
        foreign += [s["StackSetName"] for s, found in zip(service_managed, described) if found is None]
        return LiveBaselines(region=self.region, trusted_access=trusted,
                             stack_sets=dict(sorted(managed.items())), foreign=tuple(sorted(foreign)))

    def _stack_set(self, summary: dict[str, Any]) -> LiveStackSet | None:
        """The stack set, or None when it lacks vend's tag (someone else's `vend-` name)."""
        name = summary["StackSetName"]
        described = self.client.describe_stack_set(StackSetName=name, **self.call_as)["StackSet"]
        tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
        if tags.get(MANAGED_TAG[0]) != MANAGED_TAG[1]:
            return None
        auto = described.get("AutoDeployment") or {}
        return LiveStackSet(
            baseline=baseline_of(name) or "",
            name=name,
            id=described["StackSetId"],
            arn=described.get("StackSetARN", ""),
            description=described.get("Description", ""),
            template=canonical_template(described.get("TemplateBody", "")),
            parameters={p["ParameterKey"]: p.get("ParameterValue", "")
                        for p in sorted(described.get("Parameters", []), key=lambda p: p["ParameterKey"])},
            capabilities=tuple(sorted(described.get("Capabilities", []))),
            tags=dict(sorted(tags.items())),
            ou_ids=tuple(sorted(described.get("OrganizationalUnitIds", []))),
            regions=tuple(sorted(described.get("Regions", []))),
            auto_deployment=bool(auto.get("Enabled")),
            retain_stacks_on_account_removal=bool(auto.get("RetainStacksOnAccountRemoval")),
            managed_execution=bool((described.get("ManagedExecution") or {}).get("Active")),
            drift_status=summary.get("DriftStatus", "NOT_CHECKED"),
            instances=self._instances(name),
            operations=self._operations(name),
            depends_on=tuple(sorted(auto.get("DependsOn") or ())),
        )

    def _instances(self, name: str) -> tuple[LiveStackInstance, ...]:
        found = [
            LiveStackInstance(
                account=i["Account"],
                region=i["Region"],
                status=i["Status"],
                detailed_status=(i.get("StackInstanceStatus") or {}).get("DetailedStatus", ""),
                drift_status=i.get("DriftStatus", "NOT_CHECKED"),
                ou_id=i.get("OrganizationalUnitId", ""),
                status_reason=i.get("StatusReason", ""),
                last_operation_id=i.get("LastOperationId", ""),
            )
            for i in pages(self.client, "list_stack_instances", "Summaries", page_size=PAGE_SIZE, StackSetName=name,
                           **self.call_as)
        ]
        return tuple(sorted(found, key=lambda i: (i.account, i.region)))

    def _operations(self, name: str) -> tuple[StackSetOperation, ...]:
        """In-progress operations on the first page: one runs at a time (more only queue with
        managed execution). That AWS lists the newest first is unconfirmed; the emulator lists
        the oldest first, the same page while a stack set has had at most 100 operations."""
        page = self.client.list_stack_set_operations(StackSetName=name, MaxResults=PAGE_SIZE, **self.call_as)
        return tuple(sorted((StackSetOperation(o["OperationId"], o["Action"], o["Status"])
                             for o in page.get("Summaries", []) if o["Status"] in IN_PROGRESS),
                            key=lambda o: o.id))
