"""The example's enforced portfolio (catalog/portfolios/security-alarms.yaml) end to end: one
SERVICE_MANAGED stack set `vend-catalog-security-alarms` whose instances provision the product
version through the Service Catalog emulator in every account of Security and Infrastructure
(read back in each account); the next plan is empty; an account vended there later gets it;
a new version without forced_update stays where it is, with forced_update every account moves
in one UpdateStackSet (mutating calls counted: O(OUs), none per account)."""
from __future__ import annotations

import json
import shutil

from tests.e2e.baselines_support import apply, ids, local, mutating, plan_of, statuses
from tests.e2e.conftest import REPO_ROOT, without_baselines
from tests.local.stacksets_support import member_client
from vending.aws.clients import CallCounter

REGION = "us-east-1"
STACK_SET = "vend-catalog-security-alarms"
ENFORCED = ("Audit", "Log Archive", "shared-network", "shared-services")
"""The accounts of Security and Infrastructure in the example."""


def with_catalog(example):
    example = without_baselines(example)
    shutil.copytree(REPO_ROOT / "catalog", example / "catalog")
    return example


def versions(aws) -> dict[str, tuple[str, str, bool]]:
    """Artifact id -> (name, guidance, active) of the hub's Security alarms product."""
    client = aws.session().client("servicecatalog", region_name=REGION)
    products = client.search_products_as_admin()["ProductViewDetails"]
    product = next(p["ProductViewSummary"]["ProductId"] for p in products if p["ProductViewSummary"]["Name"] == "Security alarms")
    return {a["Id"]: (a["Name"], a["Guidance"], a["Active"])
            for a in client.list_provisioning_artifacts(ProductId=product)["ProvisioningArtifactDetails"]}


def provisioned(aws) -> dict[str, list[tuple[str, str, str]]]:
    """Account name -> (name, status, version) of each provisioned product, as the member sees them."""
    names = versions(aws)
    found = {}
    for name, account_id in sorted(ids(aws).items()):
        products = member_client("servicecatalog", account_id, REGION).search_provisioned_products()
        found[name] = [(p["Name"], p["Status"], names[p["ProvisioningArtifactId"]][0])
                       for p in products["ProvisionedProducts"]]
    return {n: v for n, v in found.items() if v}


def test_enforced_portfolio_reaches_every_account_of_its_ous(example, vend):
    repo = with_catalog(example)
    shown = vend(repo, "plan")
    assert shown.code == 0, shown.err
    for address in ("portfolio:security-alarms", "portfolio_share:security-alarms@ou:Security",
                    "portfolio_share:security-alarms@ou:Infrastructure", "stack_set:catalog-security-alarms",
                    "stack_instances:catalog-security-alarms/deploy"):
        assert address in shown.out
    assert "arn:aws:iam:::role/stacksets-exec-*" in shown.out
    plan = json.loads(vend(repo, "plan", "--format", "json").out)
    waits = {c["address"]: c["depends_on"] for c in plan["changes"]}
    assert {"portfolio:security-alarms", "portfolio_share:security-alarms@ou:Security",
            "product_version:security-alarms/v2"} <= set(waits["stack_set:catalog-security-alarms"])
    with local(repo) as aws:
        counter = CallCounter()
        apply(repo, aws, counter=counter)
        calls = mutating(counter)
        # one stack set and one instance operation for both OUs, a share per OU (the builders' two
        # portfolios have one each), nothing per account
        assert (calls["CreateStackSet"], calls["CreateStackInstances"], calls["CreatePortfolioShare"]) == (1, 1, 4)
        assert calls["AssociatePrincipalWithPortfolio"] == 4 and "ProvisionProduct" not in calls  # 1 + the builders' 3
        assert provisioned(aws) == {n: [("vend-security-alarms", "AVAILABLE", "v2")] for n in ENFORCED}
        assert plan_of(repo, aws).changes == []

    (repo / "accounts" / "tools.yaml").write_text(
        "name: tools\nemail: aws+tools@example.com\nou: Infrastructure\nowner: platform-team@example.com\n")
    with local(repo) as aws:
        apply(repo, aws)
        for _ in range(20):  # auto-deployment: AWS's own operation, after the account arrived
            if statuses(aws, STACK_SET).get(("tools", REGION)) == "CURRENT/SUCCEEDED":
                break
        assert statuses(aws, STACK_SET)[("tools", REGION)] == "CURRENT/SUCCEEDED"
        assert provisioned(aws)["tools"] == [("vend-security-alarms", "AVAILABLE", "v2")]
        assert plan_of(repo, aws).changes == []

    # v3, and v2 deprecated; without forced_update the accounts stay on v2
    product = repo / "catalog" / "products" / "security-alarms"
    shutil.copy(product / "v2.yaml", product / "v3.yaml")
    (product / "v3.yaml").write_text((product / "v3.yaml").read_text() + "\n# v3\n")
    text = (product / "product.yaml").read_text().replace("    description: Encrypts the topic.\n",
                                                         "    description: Encrypts the topic.\n    guidance: deprecated\n")
    (product / "product.yaml").write_text(text + "  - name: v3\n    template: v3.yaml\n")
    portfolio = repo / "catalog" / "portfolios" / "security-alarms.yaml"
    portfolio.write_text(portfolio.read_text().replace("version: v2", "version: v3")
                         .replace("forced_update: true ", "forced_update: false"))
    with local(repo) as aws:
        pinned = plan_of(repo, aws)
        assert "stack_set:catalog-security-alarms" not in {c.address for c in pinned.changes}
        assert any("without forced_update: true vend keeps v2" in n.message for n in pinned.notes)
        assert any("v2 is deprecated: an account vended" in n.message for n in pinned.notes)
        apply(repo, aws)
        assert provisioned(aws) == {n: [("vend-security-alarms", "AVAILABLE", "v2")] for n in (*ENFORCED, "tools")}
        assert plan_of(repo, aws).changes == []
    shown = vend(repo, "catalog", "report")
    assert shown.code == 0, shown.err
    assert "  security-alarms v2 [deprecated]: 5 accounts (enforced:security-alarms)\n" in shown.out, shown.out
    assert "On a deprecated or inactive version: security-alarms v2 (Audit, Log Archive, shared-network, " \
           "shared-services, tools)" in shown.out
    found = json.loads(vend(repo, "catalog", "report", "--format", "json").out)
    by_version = {(v["product"], v["version"]): v for v in found["versions"]}
    assert by_version[("security-alarms", "v2")]["flags"] == ["deprecated"]
    assert by_version[("security-alarms", "v3")]["accounts"] == []
    assert by_version[("security-alarms", "v1")]["flags"] == ["deprecated"]

    portfolio.write_text(portfolio.read_text().replace("forced_update: false", "forced_update: true "))
    shown = vend(repo, "plan")
    assert "stack_set:catalog-security-alarms will be updated" in shown.out, shown.out
    update = next(c for c in json.loads(vend(repo, "plan", "--format", "json").out)["changes"]
                  if c["address"] == "stack_set:catalog-security-alarms")
    assert update["reason"].startswith("template differs")
    assert [json.loads(update[side]["template"])["Resources"]["EnforcedProduct"]["Properties"]["ProvisioningArtifactName"]
            for side in ("before", "after")] == ["v2", "v3"]
    with local(repo) as aws:
        counter = CallCounter()
        apply(repo, aws, counter=counter)
        assert mutating(counter) == {"UpdateStackSet": 1}
        assert provisioned(aws) == {n: [("vend-security-alarms", "AVAILABLE", "v3")] for n in (*ENFORCED, "tools")}
        assert plan_of(repo, aws).changes == []
    found = json.loads(vend(repo, "catalog", "report", "--format", "json").out)
    by_version = {(v["product"], v["version"]): v for v in found["versions"]}
    assert by_version[("security-alarms", "v3")]["accounts"] == sorted([*ENFORCED, "tools"])
    assert by_version[("security-alarms", "v2")]["accounts"] == []

    # v3's template edited in place: a second artifact named v3 would make the launch by name fail
    v3 = (product / "v3.yaml").read_text()
    (product / "v3.yaml").write_text(v3 + "# edited\n")
    with local(repo) as aws:
        notes = [n.message for n in plan_of(repo, aws).notes]
        assert any("two versions named v3: launches by name fail" in n for n in notes), notes
    (product / "v3.yaml").write_text(v3)

    # retired: the stack set goes first (terminating every provisioned product), then the portfolio
    portfolio.write_text(portfolio.read_text() + "retired: true\n")
    with local(repo) as aws:
        apply(repo, aws, allow_destroy=True)
        assert provisioned(aws) == {}
        names = [p["DisplayName"] for p in aws.session().client("servicecatalog", region_name=REGION)
                 .list_portfolios()["PortfolioDetails"]]
        assert "Security alarms" not in names
        stack_sets = aws.session().client("cloudformation").list_stack_sets(Status="ACTIVE")["Summaries"]
        assert STACK_SET not in [s["StackSetName"] for s in stack_sets]
        assert plan_of(repo, aws).changes == []
