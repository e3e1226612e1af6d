"""`vend apply`'s marker (vending.snapshots.mark_applied): beside the snapshot file and, for a
real organization, in S3 beside the apply lock, where the next plan's refresh reads it."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone

from vending import snapshots
from vending.aws.clients import AwsClients
from vending.local import LocalAws
from vending.model.loader import load
from tests.state.small_repo import SMALL_REPO, write

AT = datetime(2026, 12, 2, 3, 10, 0, 123456, tzinfo=timezone.utc)


def test_a_real_target_s_marker_goes_beside_the_lock_and_the_snapshot_file(tmp_path):
    repo = write(tmp_path / "repo", SMALL_REPO)
    settings = load(repo).settings
    settings = replace(settings, target=replace(settings.target, kind="aws"))
    with LocalAws(tmp_path / "state") as local:
        clients = AwsClients(local.session())
        assert snapshots.mark_applied(repo, settings, clients, AT, "aws: 123456789012") == []
        body = local.session().client("s3").get_object(
            Bucket="vend-lock-123456789012", Key="vend/last-apply.json")["Body"].read().decode()
        places = snapshots.markers(repo, settings, clients)
        assert [p.where for p in places] == [str(repo / ".vend" / "last-apply.json"),
                                             "s3://vend-lock-<account id>/vend/last-apply.json"]
        assert [p.read() for p in places] == [body, body]
    assert json.loads(body) == {"format": 1, "applied_at": "2026-12-02T03:10:00.123456Z",
                                "by": "vend apply (aws: 123456789012)"}


def test_a_marker_that_cannot_be_put_is_returned_not_raised(tmp_path):
    repo = write(tmp_path / "repo", SMALL_REPO)
    settings = load(repo).settings
    settings = replace(settings, target=replace(settings.target, kind="aws"),
                       lock=replace(settings.lock, bucket="no-such-bucket"))
    with LocalAws(tmp_path / "state") as local:
        missed = snapshots.mark_applied(repo, settings, AwsClients(local.session()), AT, "aws")
    assert [m.where for m in missed] == ["s3://no-such-bucket/vend/last-apply.json"]
    message = str(missed[0])
    assert message.startswith("s3://no-such-bucket/vend/last-apply.json: cannot write the apply marker: ")
    assert "NoSuchBucket" in message and "(the pipeline's ApplyRole has it)" in message
    assert message.endswith("; the next incremental plan may show this apply's changes as still pending until"
                            " CloudTrail delivers its events: plan with --refresh=full")
    assert (repo / ".vend" / "last-apply.json").exists()  # the file was written all the same
