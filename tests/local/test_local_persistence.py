"""State persists on disk between LocalAws blocks, as between `vend` processes."""
from __future__ import annotations

import pickle

import pytest
from moto import mock_aws

from vending.local import LocalAws, LocalStateError, reset_state


def _org(aws):
    return aws.session().client("organizations")


def _root(org):
    return org.list_roots()["Roots"][0]["Id"]


def test_ou_persists_between_processes(tmp_path):
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        ou_id = org.create_organizational_unit(ParentId=_root(org), Name="Workloads")[
            "OrganizationalUnit"]["Id"]
    assert (tmp_path / "local" / "state.pickle").is_file()
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        ous = org.list_organizational_units_for_parent(ParentId=_root(org))["OrganizationalUnits"]
        assert ou_id in {o["Id"] for o in ous}


def test_pending_create_account_survives_and_completes(tmp_path):
    """An apply process may die while CreateAccount is IN_PROGRESS (API_CreateAccount is async);
    the next process sees it IN_PROGRESS and then completes it."""
    with LocalAws(tmp_path, create_account_polls=3) as aws:
        org = _org(aws)
        request_id = org.create_account(AccountName="Half", Email="half@example.com")[
            "CreateAccountStatus"]["Id"]
        org.describe_create_account_status(CreateAccountRequestId=request_id)  # poll 1 of 3
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        pending = org.list_create_account_status(States=["IN_PROGRESS"])  # poll 2 of 3
        assert [s["Id"] for s in pending["CreateAccountStatuses"]] == [request_id]
        status = org.describe_create_account_status(CreateAccountRequestId=request_id)
        assert status["CreateAccountStatus"]["State"] == "SUCCEEDED"  # poll 3 of 3
        account_id = status["CreateAccountStatus"]["AccountId"]
    with LocalAws(tmp_path) as aws:
        assert account_id in {a["Id"] for a in _org(aws).list_accounts()["Accounts"]}


def test_pending_closure_survives(tmp_path):
    """API_CloseAccount: PENDING_CLOSURE persists until DescribeAccount polls complete it."""
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        audit = next(a["Id"] for a in org.list_accounts()["Accounts"] if a["Name"] == "Audit")
        org.close_account(AccountId=audit)
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        assert org.describe_account(AccountId=audit)["Account"]["Status"] == "PENDING_CLOSURE"
        assert org.describe_account(AccountId=audit)["Account"]["Status"] == "SUSPENDED"


def test_state_is_saved_when_the_block_fails(tmp_path):
    """AWS keeps what a failed apply did: so does the emulator."""
    with pytest.raises(RuntimeError):
        with LocalAws(tmp_path) as aws:
            org = _org(aws)
            org.create_organizational_unit(ParentId=_root(org), Name="Before-Crash")
            raise RuntimeError("apply died")
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        names = [o["Name"] for o in org.list_organizational_units_for_parent(
            ParentId=_root(org))["OrganizationalUnits"]]
        assert "Before-Crash" in names


def test_ids_stay_unique_and_deterministic_across_processes(tmp_path):
    """moto's random state is persisted: a later process neither repeats the bootstrap's ids nor
    depends on the machine."""
    def run(state_dir):
        ids = []
        for name in ("A", "B"):
            with LocalAws(state_dir) as aws:
                org = _org(aws)
                ids.append(org.create_organizational_unit(ParentId=_root(org), Name=name)[
                    "OrganizationalUnit"]["Id"])
        return ids

    first = run(tmp_path / "one")
    assert first == run(tmp_path / "two")
    with LocalAws(tmp_path / "one") as aws:
        org = _org(aws)
        ous = org.list_organizational_units_for_parent(ParentId=_root(org))["OrganizationalUnits"]
        assert len({o["Id"] for o in ous}) == 3


def test_reset_state_forgets_the_organization(tmp_path):
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        org.create_organizational_unit(ParentId=_root(org), Name="Gone")
    assert reset_state(tmp_path) is True
    assert reset_state(tmp_path) is False
    with LocalAws(tmp_path) as aws:
        org = _org(aws)
        names = [o["Name"] for o in org.list_organizational_units_for_parent(
            ParentId=_root(org))["OrganizationalUnits"]]
        assert names == ["Security"]


def test_state_of_another_moto_version_is_refused(tmp_path):
    with LocalAws(tmp_path):
        pass
    path = tmp_path / "local" / "state.pickle"
    payload = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps({**payload, "moto": "0.0.1"}))
    with pytest.raises(LocalStateError, match="vend local reset"):
        with LocalAws(tmp_path):
            pass
    path.write_bytes(b"not a pickle")
    with pytest.raises(LocalStateError, match="unreadable"):
        with LocalAws(tmp_path):
            pass


def test_exit_restores_plain_moto(tmp_path):
    """The strict layer is uninstalled on exit: other moto users in the process are unaffected."""
    with LocalAws(tmp_path):
        pass
    with mock_aws():
        import boto3

        org = boto3.client("organizations", region_name="us-east-1")
        org.create_organization(FeatureSet="ALL")
        org.create_organizational_unit(ParentId="r-zzzz", Name="lenient")  # moto accepts it
        assert org.list_accounts(MaxResults=50)["Accounts"]
