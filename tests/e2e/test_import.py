"""`vend import` end to end: build an organization in the local emulator, import it into an
empty folder whose vend.yaml points at the same state, then `vend validate` passes and
`vend plan` says `No changes.`"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from vending.local import LocalAws

NO_CHANGES = "No changes. Your organization matches the repository."
HEADER = re.compile(r"^# Imported by `vend import` from organization o-[a-z0-9]+ on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ;"
                    r" edit freely from here on\.\n")


def body(path: Path) -> str:
    """A written YAML file without its (timestamped) header comment, which must be there."""
    text = path.read_text()
    assert HEADER.match(text), text
    return HEADER.sub("", text)


def round_trip(vend, source: Path, into: Path, *args: str):
    imported = vend(source, "import", "--into", str(into), *args)
    assert imported.code == 0, imported.err
    validated = vend(into, "validate")
    assert validated.code == 0, validated.err
    planned = vend(into, "plan", "--detailed-exitcode")
    assert planned.code == 0, planned.out + planned.err
    assert NO_CHANGES in planned.out
    return imported, planned


@pytest.fixture
def applied(example, vend) -> Path:
    assert vend(example, "apply", "--auto-approve").code == 0
    return example


def test_the_example_organization_imports_and_plans_no_changes(applied, vend, tmp_path):
    into = tmp_path / "imported"
    imported, planned = round_trip(vend, applied, into)
    assert imported.out.startswith("Imported 9 OU(s), 12 account(s) and 4 polic(ies) into")
    assert "unmanaged" not in planned.out  # every OU and account is described
    accounts = sorted(p.name for p in (into / "accounts").iterdir())
    assert accounts == sorted(p.name for p in (applied / "accounts").iterdir())  # stems as the format wants
    ids = {}
    with LocalAws(applied / ".vend") as aws:
        org = aws.session().client("organizations")
        for account in org.list_accounts()["Accounts"]:
            ids[account["Name"]] = account["Id"]
    assert body(into / "accounts" / "log-archive.yaml") == (
        "name: Log Archive\nemail: log-archive@example.com\nou: Security\nowner: security-team@example.com\n"
        f"id: '{ids['Log Archive']}'\n")
    assert body(into / "accounts" / "sandbox-bob.yaml") == (
        "name: sandbox-bob\nemail: aws+sandbox-bob@example.com\nou: Sandbox\nowner: bob@example.com\n"
        f"tags:\n  expires: '2025-12-31'\nid: '{ids['sandbox-bob']}'\n")
    security = body(into / "ous" / "Security" / "ou.yaml")
    assert security.startswith("tags:\n  purpose: security\ndefault_account_tags:\n  cost-center: platform\n"
                               "  data-classification: confidential\n  environment: production\nid: ou-")
    assert body(into / "ous" / "ou.yaml") == (
        "default_account_tags:\n  managed-by: vend\nscps:\n- deny-leave-organization\ntag_policies:\n- cost-center\n")
    assert (into / "policies" / "scp" / "quarantine-deny-all.json").is_file()
    settings = body(into / "vend.yaml")
    assert "state_dir: ../repo/.vend\n" in settings and "quarantine_ou: Suspended\n" in settings


def test_import_refuses_to_overwrite_and_names_the_first_file(applied, vend, tmp_path):
    into = tmp_path / "imported"
    assert vend(applied, "import", "--into", str(into)).code == 0
    before = {p: p.read_text() for p in into.rglob("*") if p.is_file()}
    again = vend(applied, "import", "--into", str(into))
    assert again.code == 1
    assert again.err == (f"Error: {into / 'accounts' / 'analytics-dev.yaml'} exists; vend import never overwrites"
                         " a file: import into an empty folder (--into DIR), or move the existing files away\n")
    assert {p: p.read_text() for p in into.rglob("*") if p.is_file()} == before
    unknown = vend(applied, "import", "--into", str(tmp_path / "other"), "--ou", "Workloads/Nope")
    assert unknown.code == 1 and not (tmp_path / "other").exists()
    assert unknown.err.startswith("Error: --ou Workloads/Nope: no such OU can be imported (OUs: Infrastructure,")


def test_a_subtree_imports_with_its_ancestors_and_the_quarantine_ou(applied, vend, tmp_path):
    into = tmp_path / "prod"
    imported, planned = round_trip(vend, applied, into, "--ou", "Workloads/Prod")
    files = sorted(str(p.relative_to(into)) for p in into.rglob("*") if p.is_file())
    assert files == [
        "accounts/data-lake-prod.yaml", "accounts/payments-prod.yaml",
        "ous/Suspended/ou.yaml", "ous/Workloads/Prod/Regulated/ou.yaml", "ous/Workloads/Prod/ou.yaml",
        "ous/Workloads/ou.yaml", "policies/scp/deny-unapproved-regions.json",
        "policies/scp/quarantine-deny-all.json", "vend.yaml",
    ]
    assert imported.err == (
        "Left out: 5 OU(s) outside Workloads/Prod and their accounts (--ou): Infrastructure, Sandbox, Security,"
        " Workloads/Dev, Workloads/Test; the accounts of Suspended, Workloads (written for their policies and tags"
        " only, as Workloads/Prod and the quarantine OU need them)\n")
    assert body(into / "ous" / "Workloads" / "ou.yaml").startswith("scps:\n- deny-unapproved-regions\nid: ou-")
    assert "account:Audit: account " in planned.out  # the rest is unmanaged: listed, left alone


def test_a_folder_holding_only_vend_yaml_keeps_it(applied, vend, tmp_path):
    repo = tmp_path / "adopting"
    repo.mkdir()
    settings = (applied / "vend.yaml").read_text().replace("state_dir: .vend", f"state_dir: {applied / '.vend'}")
    (repo / "vend.yaml").write_text(settings)
    imported = vend(repo, "import")
    assert imported.code == 0, imported.err
    assert f"(kept {repo / 'vend.yaml'})" in imported.out
    assert (repo / "vend.yaml").read_text() == settings
    assert vend(repo, "validate").code == 0
    assert NO_CHANGES in vend(repo, "plan").out


def test_import_needs_a_vend_yaml(vend, tmp_path):
    result = vend(tmp_path, "import")
    assert result.code == 1
    assert result.err.startswith(f"Error: {tmp_path / 'vend.yaml'}: vend import needs a vend.yaml naming the organization")


def _wait_created(org, request_id: str) -> str:
    for _ in range(50):
        status = org.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]
        if status["State"] == "SUCCEEDED":
            return status["AccountId"]
        time.sleep(0.01)
    raise AssertionError(f"CreateAccount {request_id} did not finish")


def test_hand_made_shapes_import_losslessly_and_say_what_they_leave_out(applied, vend, tmp_path):
    """Changes made outside vend: a deep OU with tags and an SCP, names that need sanitising
    and collide as file stems, an OU whose name differs from a sibling's only in case, a
    closed account, an account without an owner tag, an active account in the quarantine OU."""
    with LocalAws(applied / ".vend", create_account_polls=1, close_account_polls=1) as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        by_name = {}
        parent = root
        for name in ("Workloads", "Prod", "Regulated"):
            units = org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]
            parent = next(u["Id"] for u in units if u["Name"] == name)
        deep = org.create_organizational_unit(ParentId=parent, Name="Data Lake (EU)",
                                              Tags=[{"Key": "purpose", "Value": "lake"}])["OrganizationalUnit"]["Id"]
        deeper = org.create_organizational_unit(ParentId=deep, Name="Spark")["OrganizationalUnit"]["Id"]
        org.create_organizational_unit(ParentId=deep, Name="spark")
        scp = next(p["Id"] for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
                   if p["Name"] == "deny-unapproved-regions")
        org.attach_policy(PolicyId=scp, TargetId=deeper)
        suspended = next(u["Id"] for u in org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]
                         if u["Name"] == "Suspended")
        tags = [{"Key": "cost-center", "Value": "analytics"}, {"Key": "environment", "Value": "production"},
                {"Key": "data-classification", "Value": "restricted"}, {"Key": "managed-by", "Value": "vend"}]
        for name, where, owner in (("Team A", deeper, "a@example.com"), ("team a!", deeper, "b@example.com"),
                                   ("Spark: ETL #2", deeper, "c@example.com"), ("No Owner", deeper, None),
                                   ("Old Project", deep, "d@example.com"), ("Parked", suspended, "e@example.com")):
            request = org.create_account(AccountName=name, Email=f"aws+{len(by_name)}@example.com",
                                         Tags=tags + ([{"Key": "owner", "Value": owner}] if owner else []))
            by_name[name] = account_id = _wait_created(org, request["CreateAccountStatus"]["Id"])
            org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=where)
        org.close_account(AccountId=by_name["Old Project"])
    into = tmp_path / "imported"
    imported, _ = round_trip(vend, applied, into)
    lake = into / "ous" / "Workloads" / "Prod" / "Regulated" / "Data Lake (EU)"
    assert body(lake / "ou.yaml") == f"tags:\n  purpose: lake\nid: {deep}\n"
    assert body(lake / "Spark" / "ou.yaml").startswith("scps:\n- deny-unapproved-regions\n")
    assert body(into / "accounts" / "spark-etl-2.yaml").startswith("name: 'Spark: ETL #2'\n")
    assert "state: closed\n" in body(into / "accounts" / "old-project.yaml")
    assert body(into / "accounts" / "parked.yaml").endswith(f"id: '{by_name['Parked']}'\nstate: suspended\n")
    kept, other = sorted(("Team A", "team a!"), key=lambda name: by_name[name])  # the lower id keeps the file
    assert body(into / "accounts" / "team-a.yaml").startswith(f"name: {kept}\n")
    err = imported.err
    assert (f"Left out: account {other} ({by_name[other]}) in Workloads/Prod/Regulated/Data Lake (EU)/Spark:"
            f" its name names the same file (team-a.yaml) as account {kept} ({by_name[kept]})") in err
    assert f"Left out: account No Owner ({by_name['No Owner']})" in err and "it has no `owner` tag" in err
    assert "Left out: OU Workloads/Prod/Regulated/Data Lake (EU)/spark (ou-" in err
    assert "its name differs only in case from OU Spark" in err
    assert not (into / "accounts" / "no-owner.yaml").exists()


def test_a_control_tower_landing_zone_imports_registrations_and_controls(example, vend, tmp_path):
    settings = example / "vend.yaml"
    settings.write_text(settings.read_text().replace("account_factory: organizations", "account_factory: control-tower"))
    security = example / "ous" / "Security" / "ou.yaml"
    security.write_text(security.read_text() + "controls: [AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS]\n")
    assert vend(example, "apply", "--auto-approve").code == 0
    into = tmp_path / "imported"
    imported, planned = round_trip(vend, example, into)
    assert imported.out.startswith("Imported 9 OU(s), 12 account(s) and 4 polic(ies) into")
    assert "Left out" not in imported.err and "unmanaged" not in planned.out
    assert body(into / "ous" / "Security" / "ou.yaml").endswith("\ncontrols:\n- AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS\n")
    assert "account_factory: control-tower\n" in body(into / "vend.yaml")
