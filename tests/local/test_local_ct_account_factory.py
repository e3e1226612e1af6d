"""Control Tower's Account Factory in the local emulator (controltower/factory.py).

Sources: aws-facts 1.1 (names, parameters, prerequisite), 1.3 (update moves, terminate
unenrolls), 1.4 (5 concurrent account operations, up to 10; one unmanage at a time), 1.5
(error states, converging retries); the ResourceInUseException record error as AWS reports it
through Terraform (aws-ia/terraform-aws-control_tower_account_factory issue #363).
"""
from __future__ import annotations

import pytest

from vending.local import LocalAws


def _parent(org, account_id):
    return org.list_parents(ChildId=account_id)["Parents"][0]["Id"]


def _account_id(answer):
    return next(o["OutputValue"] for o in answer["RecordOutputs"] if o["OutputKey"] == "AccountId")


def test_provisioning_creates_the_account_in_its_ou_after_polls(
        sc, ct_org, register_ou, provision, wait_record):
    """The account appears only when the record completes (3rd poll), directly in the OU."""
    ou = register_ou("Workloads")
    record_id = provision("Payments", "Workloads")
    assert sc.describe_record(Id=record_id)["RecordDetail"]["Status"] == "IN_PROGRESS"
    assert "Payments" not in {a["Name"] for a in ct_org.list_accounts()["Accounts"]}
    answer = wait_record(record_id)
    assert answer["RecordDetail"]["Status"] == "SUCCEEDED"
    assert answer["RecordDetail"]["ProvisionedProductType"] == "CONTROL_TOWER_ACCOUNT"
    account_id = _account_id(answer)
    assert _parent(ct_org, account_id) == ou["Id"]
    outputs = sc.get_provisioned_product_outputs(ProvisionedProductName="Payments")["Outputs"]
    assert {o["OutputKey"] for o in outputs} == {"AccountId", "AccountEmail", "SSOUserEmail",
                                                 "SSOUserPortal"}


def test_ou_with_id_format(sc, ct_org, register_ou, provision, wait_record):
    """ManagedOrganizationalUnit "OUName (ou-xxxx-xxxxxxxx)" (aws-facts 1.1), for nested OUs."""
    parent = register_ou("Workloads")
    child = register_ou("Prod", parent_id=parent["Id"])
    answer = wait_record(provision("Shop", f"Prod ({child['Id']})"))
    assert _parent(ct_org, _account_id(answer)) == child["Id"]


def test_provision_token_is_idempotent(sc, ct_org, register_ou, provision, wait_record):
    register_ou("Workloads")
    first = provision("Payments", "Workloads", token="vend-payments-1")
    assert provision("Payments", "Workloads", token="vend-payments-1") == first
    wait_record(first)
    names = [a["Name"] for a in ct_org.list_accounts()["Accounts"]]
    assert names.count("Payments") == 1


def test_sixth_concurrent_operation_fails(sc, register_ou, provision, wait_record):
    """aws-facts 1.4: five account operations at once. AWS accepts the 6th ProvisionProduct and
    its record fails with ResourceInUseException; the new product is left in ERROR."""
    register_ou("Workloads")
    records = [provision(f"Acct{n}", "Workloads") for n in range(6)]
    sixth = wait_record(records[5])
    assert sixth["RecordDetail"]["Status"] == "FAILED"
    error = sixth["RecordDetail"]["RecordErrors"][0]
    assert error["Code"] == "ResourceInUseException"
    assert "another AWS Control Tower operation is in progress" in error["Description"]
    assert sc.describe_provisioned_product(Name="Acct5")["ProvisionedProductDetail"][
        "Status"] == "ERROR"
    assert all(wait_record(r)["RecordDetail"]["Status"] == "SUCCEEDED" for r in records[:5])


def test_quota_can_be_raised_to_ten(tmp_path):
    """The quota is adjustable up to 10 (aws-facts 1.4), and no further."""
    with pytest.raises(ValueError, match="1..10"):
        LocalAws(tmp_path, account_factory_quota=11)
    with LocalAws(tmp_path, control_tower=True, account_factory_quota=10) as aws:
        sc = aws.session().client("servicecatalog")
        summary = aws.landing_zone()
        product = {"ProductId": summary.account_factory_product_id,
                   "ProvisioningArtifactName": "AWS Control Tower Account Factory"}
        values = {"AccountEmail": "x@example.com", "ManagedOrganizationalUnit": "Security",
                  "SSOUserEmail": "o@example.com", "SSOUserFirstName": "A",
                  "SSOUserLastName": "B"}
        records = []
        for n in range(10):
            values.update(AccountName=f"A{n}", AccountEmail=f"a{n}@example.com")
            records.append(sc.provision_product(
                ProvisionedProductName=f"a{n}", **product,
                ProvisioningParameters=[{"Key": k, "Value": v} for k, v in values.items()])[
                    "RecordDetail"]["RecordId"])
        for _ in range(3):
            statuses = [sc.describe_record(Id=r)["RecordDetail"]["Status"] for r in records]
        assert set(statuses) == {"SUCCEEDED"}


def test_injected_tainted_and_failed(ct_local, sc, ct_org, register_ou, provision, wait_record):
    """faults.provisioning: TAINTED - the account exists but the product is TAINTED and the record
    FAILED; FAILED - no account, product ERROR."""
    register_ou("Workloads")
    ct_local.faults.provisioning("TAINTED", account_name="Half")
    ct_local.faults.provisioning("FAILED", account_name="None")
    half = wait_record(provision("Half", "Workloads"))
    none = wait_record(provision("None", "Workloads"))
    assert half["RecordDetail"]["Status"] == none["RecordDetail"]["Status"] == "FAILED"
    names = {a["Name"] for a in ct_org.list_accounts()["Accounts"]}
    assert "Half" in names and "None" not in names
    assert sc.describe_provisioned_product(Name="Half")["ProvisionedProductDetail"][
        "Status"] == "TAINTED"
    assert sc.describe_provisioned_product(Name="None")["ProvisionedProductDetail"][
        "Status"] == "ERROR"


def test_injected_latency_in_polls(ct_local, sc, register_ou, provision):
    register_ou("Workloads")
    ct_local.faults.provisioning(extra_polls=4, account_name="Slow")
    record_id = provision("Slow", "Workloads")
    statuses = [sc.describe_record(Id=record_id)["RecordDetail"]["Status"] for _ in range(7)]
    assert statuses == ["IN_PROGRESS"] * 6 + ["SUCCEEDED"]


def test_update_moves_the_account(sc, ct_org, register_ou, provision, wait_record, af_params):
    """aws-facts 1.3: UpdateProvisionedProduct with a new ManagedOrganizationalUnit moves it;
    every parameter must be given again (or UsePreviousValue)."""
    register_ou("Workloads")
    sandbox = register_ou("Sandbox")
    account_id = _account_id(wait_record(provision("Payments", "Workloads")))
    with pytest.raises(sc.exceptions.InvalidParametersException, match="must have values"):
        sc.update_provisioned_product(
            ProvisionedProductName="Payments",
            ProvisioningParameters=[{"Key": "ManagedOrganizationalUnit", "Value": "Sandbox"}])
    record = sc.update_provisioned_product(
        ProvisionedProductName="Payments",
        ProvisioningParameters=af_params("Payments", "Sandbox"))["RecordDetail"]
    assert _parent(ct_org, account_id) != sandbox["Id"]
    assert wait_record(record["RecordId"])["RecordDetail"]["Status"] == "SUCCEEDED"
    assert _parent(ct_org, account_id) == sandbox["Id"]


def test_terminate_unenrolls_and_one_at_a_time(sc, ct_org, register_ou, provision, wait_record):
    """aws-facts 1.3: terminating unenrolls - the account goes to the Root, unclosed, and the
    product is gone; unmanaging is one account at a time (a 2nd terminate fails)."""
    register_ou("Workloads")
    first = _account_id(wait_record(provision("One", "Workloads")))
    wait_record(provision("Two", "Workloads"))
    root_id = ct_org.list_roots()["Roots"][0]["Id"]
    one = sc.terminate_provisioned_product(ProvisionedProductName="One")["RecordDetail"]
    two = sc.terminate_provisioned_product(ProvisionedProductName="Two")["RecordDetail"]
    assert wait_record(two["RecordId"])["RecordDetail"]["RecordErrors"][0]["Code"] == \
        "ResourceInUseException"
    assert wait_record(one["RecordId"])["RecordDetail"]["Status"] == "SUCCEEDED"
    assert _parent(ct_org, first) == root_id
    assert ct_org.describe_account(AccountId=first)["Account"]["Status"] == "ACTIVE"
    assert sc.search_provisioned_products(Filters={"SearchQuery": ["name:One"]})[
        "ProvisionedProducts"] == []
    assert sc.describe_provisioned_product(Name="Two")["ProvisionedProductDetail"][
        "Status"] == "TAINTED"


def test_unregistered_and_unknown_ous_fail(sc, ct_org, provision, wait_record):
    """CT-AF: "must target an OU with AWSControlTowerBaseline enabled"; a bare OU id is refused
    as AWS words it; an unknown OU name fails too. The record FAILS, no account is made."""
    root_id = ct_org.list_roots()["Roots"][0]["Id"]
    ou = ct_org.create_organizational_unit(ParentId=root_id, Name="Loose")["OrganizationalUnit"]
    cases = {"A": "Loose", "B": ou["Id"], "C": "Nowhere"}
    errors = {name: wait_record(provision(name, target))["RecordDetail"]["RecordErrors"][0]
              for name, target in cases.items()}
    assert "AWSControlTowerBaseline enabled" in errors["A"]["Description"]
    assert errors["B"]["Description"] == (
        f"The parent organizational unit '{ou['Id']}' is not enrolled in AWS Control Tower.")
    assert "does not exist" in errors["C"]["Description"]
    assert {e["Code"] for e in errors.values()} == {"InvalidParametersException"}
    assert not {"A", "B", "C"} & {a["Name"] for a in ct_org.list_accounts()["Accounts"]}


def test_parameters_are_checked_when_called(sc, factory, af_params):
    """The product's parameters are all required, emails must match its AllowedPattern."""
    params = [p for p in af_params("X", "Security") if p["Key"] != "SSOUserLastName"]
    with pytest.raises(sc.exceptions.InvalidParametersException, match="SSOUserLastName"):
        sc.provision_product(ProvisionedProductName="x", **factory, ProvisioningParameters=params)
    bad = af_params("X", "Security", email="not-an-email")
    with pytest.raises(sc.exceptions.InvalidParametersException, match="AccountEmail"):
        sc.provision_product(ProvisionedProductName="x", **factory, ProvisioningParameters=bad)


def test_retried_create_converges_on_the_existing_account(sc, ct_org, register_ou, provision,
                                                          wait_record):
    """aws-facts 1.5: a retry after a mid-way failure finds the account already there; the new
    product adopts it (and moves it into the OU) instead of failing."""
    ou = register_ou("Workloads")
    root_id = ct_org.list_roots()["Roots"][0]["Id"]
    request = ct_org.create_account(AccountName="Early", Email="early@example.com")
    for _ in range(3):
        status = ct_org.describe_create_account_status(
            CreateAccountRequestId=request["CreateAccountStatus"]["Id"])["CreateAccountStatus"]
    assert _parent(ct_org, status["AccountId"]) == root_id
    answer = wait_record(provision("Early", "Workloads", email="early@example.com"))
    assert answer["RecordDetail"]["Status"] == "SUCCEEDED"
    assert _account_id(answer) == status["AccountId"]
    assert _parent(ct_org, status["AccountId"]) == ou["Id"]


def test_security_accounts_are_enrolled_for_adoption(sc, ct_org):
    """Setup enrolls Log Archive and Audit as Account Factory products, found by product id."""
    product_id = sc.search_products_as_admin(
        Filters={"FullTextSearch": ["AWS Control Tower Account Factory"]})[
            "ProductViewDetails"][0]["ProductViewSummary"]["ProductId"]
    found = sc.search_provisioned_products(
        AccessLevelFilter={"Key": "Account", "Value": "self"},
        Filters={"SearchQuery": [f"productId:{product_id}"]})["ProvisionedProducts"]
    assert sorted(p["Name"] for p in found) == ["Audit", "Log-Archive"]
    assert {p["Status"] for p in found} == {"AVAILABLE"}
    emails = {o["OutputValue"] for p in found for o in sc.get_provisioned_product_outputs(
        ProvisionedProductId=p["Id"], OutputKeys=["AccountEmail"])["Outputs"]}
    assert emails == {"log-archive@example.com", "audit@example.com"}
