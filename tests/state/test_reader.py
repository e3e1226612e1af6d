"""The live-state reader against the local emulator: what it reads, and how cheaply."""
from __future__ import annotations

import pytest

from vending.aws.clients import AwsClients, CallCounter
from vending.local import LocalAws
from vending.local.bootstrap import AUDIT_ACCOUNT_EMAIL as AUDIT_EMAIL
from vending.local.bootstrap import LOG_ARCHIVE_ACCOUNT_EMAIL as LOG_ARCHIVE_EMAIL
from vending.model.types import SCP
from vending.state.organizations import OrganizationsReader

SCP_DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}'


@pytest.fixture
def seeded(tmp_path):
    with LocalAws(tmp_path) as local:
        org = local.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        dev = org.create_organizational_unit(ParentId=root, Name="Dev", Tags=[{"Key": "k", "Value": "v"}])
        dev_id = dev["OrganizationalUnit"]["Id"]
        child = org.create_organizational_unit(ParentId=dev_id, Name="Team")["OrganizationalUnit"]["Id"]
        policy = org.create_policy(Name="deny-leave", Type=SCP, Content=SCP_DOC, Description="d")
        policy_id = policy["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policy_id, TargetId=child)
        yield local, {"root": root, "dev": dev_id, "team": child, "policy": policy_id}


def test_reader_walks_the_tree_with_paths_tags_policies_and_accounts(seeded):
    local, ids = seeded
    live = OrganizationsReader(AwsClients(local.session()).reader().organizations()).read()
    paths = {ou.path: ou for ou in live.ous.values()}
    assert set(paths) == {("Security",), ("Dev",), ("Dev", "Team")}
    assert paths[("Dev",)].tags == {"k": "v"}
    assert paths[("Dev", "Team")].parent_id == ids["dev"]
    assert paths[("Dev", "Team")].policies[SCP] == tuple(sorted(("p-FullAWSAccess", ids["policy"])))
    assert live.policies[ids["policy"]].content == (
        '{"Statement":[{"Action":"organizations:LeaveOrganization","Effect":"Deny","Resource":"*"}],'
        '"Version":"2012-10-17"}'
    )
    emails = {a.email for a in live.accounts.values()}
    assert {LOG_ARCHIVE_EMAIL, AUDIT_EMAIL} <= emails
    assert live.root.id == ids["root"]


def test_both_ways_of_reading_attachments_agree(seeded):
    local, _ = seeded
    reader = OrganizationsReader(AwsClients(local.session()).reader().organizations())
    live = reader.read()
    nodes = [live.root.id, *live.ous]
    typed = [p for p in live.policies.values() if p.type == SCP]
    by_policy = {n: {SCP: []} for n in nodes}
    by_target = {n: {SCP: []} for n in nodes}
    reader._attachments_by_policy(typed, by_policy)
    reader._attachments_by_target(SCP, by_target)
    assert {n: sorted(v[SCP]) for n, v in by_policy.items()} == {n: sorted(v[SCP]) for n, v in by_target.items()}


def test_reader_pages_at_20_and_never_calls_list_parents(seeded):
    local, ids = seeded
    org = local.session().client("organizations")
    for i in range(25):
        org.create_organizational_unit(ParentId=ids["dev"], Name=f"ou-{i:02}")
    counter = CallCounter()
    live = OrganizationsReader(AwsClients(local.session(), observers=(counter,)).reader().organizations()).read()
    assert len(live.ous) == 28
    # root, Security, Dev (two pages for its 26 children), then each of those 26.
    assert counter.counts["ListOrganizationalUnitsForParent"] == 1 + 1 + 2 + 26
    assert "ListParents" not in counter.counts


def test_reader_reads_only_the_ou_tags_in_scope(seeded):
    local, ids = seeded
    counter = CallCounter()
    reader = OrganizationsReader(AwsClients(local.session(), observers=(counter,)).reader().organizations())
    live = reader.read(lambda path, node_id: path == ("Dev",))
    assert {ou.path: ou.tags for ou in live.ous.values()} == {("Security",): None, ("Dev",): {"k": "v"}, ("Dev", "Team"): None}
    assert live.root.tags is None
    assert counter.counts["ListTagsForResource"] == 1 + len(live.accounts)
