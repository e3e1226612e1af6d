"""Setting Control Tower up locally, and its state across processes and over HTTP.

`LocalAws(control_tower=True)` and `init_control_tower` (controltower.py,
controltower/landing_zone.py) must be idempotent; Service Catalog and Control Tower state
persists with the Organizations state (state_store.StateStore), including operations in flight
(AWS keeps running them while a `vend apply` process is gone); `vend local reset` forgets it.
"""
from __future__ import annotations

import boto3
from botocore.config import Config

from vending.local import LocalAws, LocalServer, init_control_tower, reset_state


def _af_parameters(name, ou):
    values = {"AccountName": name, "AccountEmail": f"{name.lower()}@example.com",
              "ManagedOrganizationalUnit": ou, "SSOUserEmail": "o@example.com",
              "SSOUserFirstName": "A", "SSOUserLastName": "B"}
    return [{"Key": k, "Value": v} for k, v in values.items()]


def test_setup_is_idempotent(tmp_path):
    first = init_control_tower(tmp_path)
    assert first == init_control_tower(tmp_path)
    with LocalAws(tmp_path, control_tower=True) as aws:
        assert aws.landing_zone() == first
        sc = aws.session().client("servicecatalog")
        assert len(sc.list_portfolios()["PortfolioDetails"]) == 1
        assert sc.search_provisioned_products()["TotalResultsCount"] == 2
        ct = aws.session().client("controltower")
        assert len(ct.list_enabled_baselines()["enabledBaselines"]) == 2
    assert len(first.enrolled) == 2 and len(first.registered_ou_arns) == 1
    with LocalAws(tmp_path) as aws:  # the landing zone stays without asking again
        sc = aws.session().client("servicecatalog")
        portfolio = sc.describe_portfolio(Id=first.account_factory_portfolio_id)
        assert portfolio["PortfolioDetail"]["DisplayName"] == \
            "AWS Control Tower Account Factory Portfolio"


def test_provisioning_survives_between_processes(tmp_path):
    """A record IN_PROGRESS when the process ends keeps its polls and completes in the next."""
    summary = init_control_tower(tmp_path)
    with LocalAws(tmp_path, provisioning_polls=3) as aws:
        sc = aws.session().client("servicecatalog")
        record_id = sc.provision_product(
            ProductId=summary.account_factory_product_id, ProvisionedProductName="Later",
            ProvisioningArtifactName="AWS Control Tower Account Factory",
            ProvisioningParameters=_af_parameters("Later", "Security"))["RecordDetail"]["RecordId"]
        assert sc.describe_record(Id=record_id)["RecordDetail"]["Status"] == "IN_PROGRESS"
    with LocalAws(tmp_path) as aws:
        sc = aws.session().client("servicecatalog")
        assert sc.describe_record(Id=record_id)["RecordDetail"]["Status"] == "IN_PROGRESS"
        assert sc.describe_record(Id=record_id)["RecordDetail"]["Status"] == "SUCCEEDED"
    with LocalAws(tmp_path) as aws:
        names = {a["Name"] for a in aws.session().client("organizations").list_accounts()[
            "Accounts"]}
        assert "Later" in names


def test_reset_forgets_control_tower(tmp_path):
    init_control_tower(tmp_path)
    assert reset_state(tmp_path)
    with LocalAws(tmp_path) as aws:
        assert aws.landing_zone() is None
        assert aws.session().client("servicecatalog").list_portfolios()["PortfolioDetails"] == []


def test_served_over_http(tmp_path):
    """`vend local serve`: the same emulators through moto's server (controltower registered as
    a moto backend, Service Catalog's handlers replaced)."""
    with LocalServer(tmp_path, port=0, control_tower=True) as server:
        options = dict(endpoint_url=server.url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing",
                       config=Config(retries={"max_attempts": 1}))
        ct = boto3.client("controltower", **options)
        sc = boto3.client("servicecatalog", **options)
        zone = ct.list_landing_zones()["landingZones"][0]["arn"]
        assert ct.get_landing_zone(landingZoneIdentifier=zone)["landingZone"]["version"] == "3.3"
        product_id = sc.search_products_as_admin()["ProductViewDetails"][0][
            "ProductViewSummary"]["ProductId"]
        record_id = sc.provision_product(
            ProductId=product_id, ProvisionedProductName="Served",
            ProvisioningArtifactName="AWS Control Tower Account Factory",
            ProvisioningParameters=_af_parameters("Served", "Security"))["RecordDetail"][
                "RecordId"]
        statuses = [sc.describe_record(Id=record_id)["RecordDetail"]["Status"] for _ in range(3)]
        assert statuses[-1] == "SUCCEEDED"
    with LocalAws(tmp_path) as aws:  # saved on shutdown
        names = {a["Name"] for a in aws.session().client("organizations").list_accounts()[
            "Accounts"]}
        assert "Served" in names
