"""`vend catalog report --self-service` on the example catalog: a builder in payments-dev launches the
shared s3-bucket product on v1, v1 is deprecated in git and applied, and the report reads each
active account through its role: payments-dev under v1 (self-service, flagged deprecated), the
enforced security-alarms accounts once each (their `vend-security-alarms` launches are the stack
set's half), and an account whose read AWS refuses, or whose report role is missing, listed as
unreadable with AWS's code."""
from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_catalog_spoke import BUILDER, _ids, _launch, _set_v1, _settle, _versions, _with_catalog
from tests.local.catalog_support import as_role
from vending.local import LocalAws


def _launched_on_v1_then_deprecated(example: Path, vend) -> Path:  # type: ignore[no-untyped-def]
    repo = _with_catalog(example)
    _set_v1(repo, "")
    assert vend(repo, "apply", "--auto-approve").code == 0
    with LocalAws(repo / ".vend") as aws:
        builder = as_role(aws, _ids(aws)["payments-dev"], BUILDER)
        s3 = next(p["ProductId"] for p in builder.search_products()["ProductViewSummaries"] if p["Name"] == "S3 bucket")
        assert _settle(builder, _launch(builder, s3, _versions(builder, s3)["v1"], "old-bucket", "STANDARD")) == "SUCCEEDED"
    _set_v1(repo, "    guidance: deprecated\n")
    assert vend(repo, "apply", "--auto-approve").code == 0
    return repo


def test_the_report_lists_a_self_service_launch_under_its_deprecated_version(example, vend):
    repo = _launched_on_v1_then_deprecated(example, vend)

    shown = vend(repo, "catalog", "report")
    assert shown.code == 0, shown.err
    assert "  s3-bucket v1 [deprecated]: 0 accounts\n" in shown.out, shown.out
    assert ("Self-service launches: not read: self-service launches live in each account; "
            "`vend catalog report --self-service` reads them") in shown.out

    shown = vend(repo, "catalog", "report", "--self-service")
    assert shown.code == 0, shown.err
    assert "  s3-bucket v1 [deprecated]: 1 account (self-service)\n    - payments-dev (self-service: old-bucket)\n" \
        in shown.out, shown.out
    assert "On a deprecated or inactive version: s3-bucket v1 (payments-dev)" in shown.out
    assert "through the role OrganizationAccountAccessRole\n" in shown.out
    assert "unreadable" not in shown.out

    found = json.loads(vend(repo, "catalog", "report", "--self-service", "--format", "json").out)
    assert found["unreadable"] == {}
    by_version = {(v["product"], v["version"]): v for v in found["versions"]}
    v1 = by_version[("s3-bucket", "v1")]
    assert (v1["accounts"], v1["sources"], v1["flags"], v1["via"]) == (
        ["payments-dev"], {"payments-dev": ["self-service:old-bucket"]}, ["deprecated"], ["self-service"])
    assert by_version[("s3-bucket", "v2")]["accounts"] == []
    alarms = next(v for v in found["versions"] if v["product"] == "security-alarms" and v["accounts"])
    assert alarms["via"] == ["enforced:security-alarms"]
    assert set(map(tuple, alarms["sources"].values())) == {("enforced",)}  # never counted twice
    total = len(json.loads(vend(repo, "catalog", "report", "--format", "json").out)["versions"])
    assert len(found["versions"]) == total


def test_an_account_whose_read_is_refused_is_listed_unreadable_with_the_code(example, vend):
    repo = _launched_on_v1_then_deprecated(example, vend)
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace(
        "  state_dir: .vend\n", "  state_dir: .vend\n  faults:\n    fail:\n      - {operation: SearchProvisionedProducts, "
        "service: servicecatalog, code: AccessDeniedException}\n", 1))

    shown = vend(repo, "catalog", "report", "--self-service", "--format", "json")
    assert shown.code == 0, shown.err
    found = json.loads(shown.out)
    assert list(found["unreadable"].values()) == ["AccessDeniedException"]
    [account] = found["unreadable"]
    accounts = {a for v in found["versions"] for a in v["accounts"]}
    assert account not in accounts
    assert found["self_service"].startswith("read in ")
    read, _, rest = found["self_service"].removeprefix("read in ").partition(" of ")
    assert int(read) == int(rest.split()[0]) - 1


def test_an_account_without_the_report_role_is_listed_unreadable_with_the_code(example, vend, monkeypatch):
    """The local AWS's AssumeRole always succeeds (moto does not check the role exists), so the
    role missing from payments-prod is refused here as AWS refuses it: AccessDenied."""
    from moto.sts.exceptions import STSClientError
    from moto.sts.models import STSBackend

    repo = _launched_on_v1_then_deprecated(example, vend)
    settings = repo / "vend.yaml"
    settings.write_text(settings.read_text().replace(
        "  template_bucket: vend-catalog-templates\n",
        "  template_bucket: vend-catalog-templates\n  report_role: VendCatalogReport\n", 1))
    with LocalAws(repo / ".vend") as aws:
        prod = _ids(aws)["payments-prod"]
    missing = f"arn:aws:iam::{prod}:role/VendCatalogReport"
    original = STSBackend.assume_role

    def assume_role(self, region_name: str, role_session_name: str, role_arn: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if role_arn == missing:
            raise STSClientError("AccessDenied", f"User: arn:aws:iam::{aws.management_account_id}:root is not "
                                 f"authorized to perform: sts:AssumeRole on resource: {role_arn}")
        return original(self, region_name, role_session_name, role_arn, *args, **kwargs)

    monkeypatch.setattr(STSBackend, "assume_role", assume_role)
    shown = vend(repo, "catalog", "report", "--self-service")
    assert shown.code == 0, shown.err
    assert shown.out.endswith("through the role VendCatalogReport\n  unreadable: payments-prod: AccessDenied\n"), \
        shown.out
    assert "    - payments-dev (self-service: old-bucket)\n" in shown.out
    found = json.loads(vend(repo, "catalog", "report", "--self-service", "--format", "json").out)
    assert found["unreadable"] == {"payments-prod": "AccessDenied"}
    assert found["self_service"] == "read in 11 of 12 active accounts through the role VendCatalogReport"
