"""The organization read back from an emulator with plain boto3 calls, independent of vend's
readers, and normalized so two organizations built by different runs compare equal: ids are
replaced by names and paths (accounts by name, OUs by path, policies by type and name)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import boto3

SERVICE_CATALOG_PAGE = 20


def dump(session: boto3.Session) -> dict[str, Any]:
    org = session.client("organizations", region_name="us-east-1")
    root = org.list_roots()["Roots"][0]
    paths = {root["Id"]: "Root"}
    ou_tags: dict[str, dict[str, str]] = {}
    pending = [root["Id"]]
    while pending:
        parent = pending.pop()
        for page in org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
            for ou in page["OrganizationalUnits"]:
                path = ou["Name"] if parent == root["Id"] else f"{paths[parent]}/{ou['Name']}"
                paths[ou["Id"]] = path
                ou_tags[path] = _tags(org, ou["Id"])
                pending.append(ou["Id"])
    accounts: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    emails: Counter[str] = Counter()
    for page in org.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            emails[account["Email"].lower()] += 1
            names[account["Id"]] = account["Name"]
            parent = org.list_parents(ChildId=account["Id"])["Parents"][0]["Id"]
            accounts[account["Name"]] = {
                "email": account["Email"], "status": account["Status"], "ou": paths[parent],
                "tags": _tags(org, account["Id"]),
            }
    policies: dict[str, dict[str, Any]] = {}
    for policy_type in [t["Type"] for t in root["PolicyTypes"] if t["Status"] == "ENABLED"]:
        for page in org.get_paginator("list_policies").paginate(Filter=policy_type):
            for summary in page["Policies"]:
                content = org.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
                targets = [
                    paths.get(t["TargetId"]) or names[t["TargetId"]]
                    for p in org.get_paginator("list_targets_for_policy").paginate(PolicyId=summary["Id"])
                    for t in p["Targets"]
                ]
                policies[f"{policy_type}:{summary['Name']}"] = {
                    "content": json.loads(content), "targets": sorted(targets),
                }
    return {
        "ous": ou_tags,
        "accounts": accounts,
        "duplicate_emails": sorted(e for e, n in emails.items() if n > 1),
        "policies": policies,
        "provisioned_products": provisioned_products(session),
        "registered_ous": _registered(session, paths),
    }


def provisioned_products(session: boto3.Session) -> dict[str, Any]:
    """Name -> status of every provisioned product, by SearchProvisionedProducts and by
    ScanProvisionedProducts (both must agree), with the count of each name (duplicates)."""
    sc = session.client("servicecatalog", region_name="us-east-1")
    searched: list[tuple[str, str]] = []
    token = None
    while True:
        page = sc.search_provisioned_products(PageSize=SERVICE_CATALOG_PAGE,
                                              **({"PageToken": token} if token else {}))
        searched += [(p["Name"], p["Status"]) for p in page["ProvisionedProducts"]]
        token = page.get("NextPageToken")
        if not token:
            break
    scanned = [
        (p["Name"], p["Status"])
        for page in sc.get_paginator("scan_provisioned_products").paginate(
            AccessLevelFilter={"Key": "Account", "Value": "self"})
        for p in page["ProvisionedProducts"]
    ]
    assert sorted(searched) == sorted(scanned), (searched, scanned)
    counts = Counter(name for name, _ in searched)
    return {name: {"status": status, "count": counts[name]} for name, status in sorted(searched)}


def _registered(session: boto3.Session, paths: dict[str, str]) -> list[str]:
    ct = session.client("controltower", region_name="us-east-1")
    return sorted(
        paths[b["targetIdentifier"].rsplit("/", 1)[-1]]
        for page in ct.get_paginator("list_enabled_baselines").paginate()
        for b in page["enabledBaselines"]
        if "/ou-" in b["targetIdentifier"]
    )


def _tags(org: Any, resource_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for page in org.get_paginator("list_tags_for_resource").paginate(
        ResourceId=resource_id) for t in page["Tags"]}
