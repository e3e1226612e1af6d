"""`vend local serve`: the same organization over HTTP, with the strict layer and persistence."""
from __future__ import annotations

import threading

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from vending.local import LocalAws, LocalServer, serve


def _client(url):
    return boto3.client("organizations", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}))


def test_server_serves_the_persisted_organization(tmp_path):
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.create_organizational_unit(ParentId=root_id, Name="From-Process")

    with LocalServer(tmp_path, port=0) as server:
        org = _client(server.url)
        names = {a["Name"] for a in org.list_accounts()["Accounts"]}
        assert names == {"Management", "Log Archive", "Audit"}
        ous = {o["Name"]: o["Id"] for o in org.list_organizational_units_for_parent(
            ParentId=root_id)["OrganizationalUnits"]}
        assert "From-Process" in ous
        with pytest.raises(ClientError) as raised:  # strict in server mode too
            org.delete_organizational_unit(OrganizationalUnitId=ous["Security"])
        assert raised.value.response["Error"]["Code"] == "OrganizationalUnitNotEmptyException"
        org.create_organizational_unit(ParentId=root_id, Name="From-Server")

    with LocalAws(tmp_path) as aws:  # saved on shutdown
        org = aws.session().client("organizations")
        names = {o["Name"] for o in org.list_organizational_units_for_parent(
            ParentId=root_id)["OrganizationalUnits"]}
        assert {"From-Process", "From-Server"} <= names


def test_server_writes_each_request_before_answering(tmp_path):
    """What a request changed is on disk when its answer arrives: no saver thread to wait for."""
    with LocalServer(tmp_path, port=0) as server:
        org = _client(server.url)
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.create_organizational_unit(ParentId=root_id, Name="Saved-Early")
        assert b"Saved-Early" in (tmp_path / "local" / "state.pickle").read_bytes()


def test_serve_runs_until_stopped(tmp_path):
    stop, ready = threading.Event(), []
    thread = threading.Thread(target=serve, args=(tmp_path, "127.0.0.1", 0),
                              kwargs={"stop": stop, "on_ready": ready.append})
    thread.start()
    try:
        for _ in range(200):
            if ready:
                break
            threading.Event().wait(0.01)
        org = _client(ready[0])
        assert len(org.list_accounts()["Accounts"]) == 3
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert (tmp_path / "local" / "state.pickle").is_file()


@pytest.mark.parametrize("service, call, code", [
    ("organizations", lambda c: c.describe_effective_policy(PolicyType="TAG_POLICY"),
     "UnknownOperationException"),  # json protocol, moto lacks it
    ("servicecatalog", lambda c: c.describe_copy_product_status(CopyProductToken="copyproduct-aaaaaaaaaaaaa"),
     "UnknownOperationException"),  # json, the emulator lacks it
    ("controltower", lambda c: c.list_control_operations(), "UnknownOperationException"),
    ("sts", lambda c: c.decode_authorization_message(EncodedMessage="x"), "InvalidAction"),
], ids=["organizations", "servicecatalog", "controltower", "sts"])
def test_an_unimplemented_operation_is_a_400_the_aws_cli_does_not_retry(tmp_path, service, call,
                                                                       code):
    """AWS answers an unknown action with HTTP 400 and an error code in the protocol's format;
    the AWS CLI's botocore (legacy retries, 5 attempts) raises it at once. A 500 would be sent
    five times."""
    sent = []
    with LocalServer(tmp_path, port=0) as server:
        client = boto3.client(service, endpoint_url=server.url, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing",
                              config=Config(retries={"mode": "legacy", "max_attempts": 5}))
        client.meta.events.register("before-send", lambda **kw: sent.append(kw["request"].url))
        with pytest.raises(ClientError) as raised:
            call(client)
    error = raised.value.response
    assert error["Error"]["Code"] == code
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "not implemented by the vend local emulator" in error["Error"]["Message"]
    assert len(sent) == 1


def test_an_unimplemented_operation_in_process_is_a_client_error(tmp_path):
    with LocalAws(tmp_path) as aws:
        with pytest.raises(ClientError) as raised:
            aws.session().client("iam").change_password(OldPassword="a", NewPassword="b")
    assert raised.value.response["Error"]["Code"] == "InvalidAction"
