"""S3 in the local AWS: the apply lock's conditional requests answered as S3 answers them, and
its objects shared by every process on one state directory (vending.local.s3)."""
from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from vending.local import LocalAws, LocalServer
from vending.local.endpoint import EndpointSession

BUCKET, KEY = "vend-lock-123456789012", "vend/apply.lock"


@pytest.fixture
def s3(local):
    return local.session().client("s3")


def test_a_fresh_landing_zone_has_the_lock_bucket_and_no_lock(s3, aws_error):
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [BUCKET]
    aws_error("NoSuchKey", s3.get_object, Bucket=BUCKET, Key=KEY)


def test_put_if_none_match_writes_only_a_missing_key(s3, aws_error):
    first = s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"first", IfNoneMatch="*")
    refused = aws_error("PreconditionFailed", s3.put_object, Bucket=BUCKET, Key=KEY, Body=b"second",
                        IfNoneMatch="*")
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 412
    got = s3.get_object(Bucket=BUCKET, Key=KEY)
    assert (got["Body"].read(), got["ETag"]) == (b"first", first["ETag"])


def test_delete_if_match_deletes_only_that_object(s3, aws_error):
    written = s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"mine", IfNoneMatch="*")
    other = s3.put_object(Bucket=BUCKET, Key="other", Body=b"other")["ETag"]
    refused = aws_error("PreconditionFailed", s3.delete_object, Bucket=BUCKET, Key=KEY, IfMatch=other)
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == b"mine"
    s3.delete_object(Bucket=BUCKET, Key=KEY, IfMatch=written["ETag"])
    aws_error("NoSuchKey", s3.get_object, Bucket=BUCKET, Key=KEY)
    aws_error("NoSuchKey", s3.delete_object, Bucket=BUCKET, Key=KEY, IfMatch=written["ETag"])


def test_objects_persist_with_the_organization(tmp_path):
    with LocalAws(tmp_path) as aws:
        aws.session().client("s3").put_object(Bucket=BUCKET, Key=KEY, Body=b"held", IfNoneMatch="*")
    with LocalAws(tmp_path) as aws:
        s3 = aws.session().client("s3")
        assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == b"held"


WRITE = """
import sys
from pathlib import Path
from botocore.exceptions import ClientError
from vending.local import LocalAws

with LocalAws(Path(sys.argv[1])) as aws:
    try:
        aws.session().client("s3").put_object(Bucket=sys.argv[2], Key=sys.argv[3], Body=sys.argv[4].encode(),
                                              IfNoneMatch="*")
        print("written")
    except ClientError as exc:
        print(exc.response["Error"]["Code"])
"""


def _write_in_another_process(state_dir, body: str) -> str:
    done = subprocess.run([sys.executable, "-c", WRITE, str(state_dir), BUCKET, KEY, body],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_processes_on_one_state_see_each_others_objects_request_by_request(tmp_path):
    """Two `vend apply`s on one state directory: the second's conditional write sees the
    first's object, although this process's emulator was loaded before it was written."""
    with LocalAws(tmp_path) as aws:
        s3 = aws.session().client("s3")
        s3.list_buckets()
        assert _write_in_another_process(tmp_path, "theirs") == "written"
        assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == b"theirs"
        with pytest.raises(Exception, match="PreconditionFailed"):
            s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"ours", IfNoneMatch="*")
        s3.delete_object(Bucket=BUCKET, Key=KEY)
    assert _write_in_another_process(tmp_path, "again") == "written"


def test_the_served_emulator_answers_the_same(tmp_path):
    with LocalServer(tmp_path, port=0) as server:
        s3 = EndpointSession(server.url).client("s3")
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"served", IfNoneMatch="*")
        with pytest.raises(Exception, match="PreconditionFailed"):
            s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"again", IfNoneMatch="*")
    with LocalAws(tmp_path) as aws:  # and what it served is on disk
        assert aws.session().client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == b"served"


def test_a_state_written_before_s3_was_emulated_gets_the_lock_bucket(tmp_path):
    with LocalAws(tmp_path):
        pass
    state = tmp_path / "local" / "state.pickle"
    payload = pickle.loads(state.read_bytes())
    del payload["emulators"]["s3"]
    state.write_bytes(pickle.dumps(payload))
    with LocalAws(tmp_path) as aws:
        assert [b["Name"] for b in aws.session().client("s3").list_buckets()["Buckets"]] == [BUCKET]
        assert aws.session().client("organizations").list_roots()["Roots"]  # the organization is kept
