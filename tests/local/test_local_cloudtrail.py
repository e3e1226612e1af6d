"""The local AWS records every mutating request as a CloudTrail management event, and answers
LookupEvents from them (vending/local/cloudtrail/). Sources: aws-facts 13.1-13.2, botocore's
cloudtrail-2013-11-01 model (fields, MaxResults 1..50, the error codes)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from tests.local.stacksets_support import PRINCIPAL, TEMPLATE, member_client
from vending.local import LocalAws, reset_state

CONTROL = ("arn:aws:controltower:us-east-1::control/"
           "AWS-GR_AUTOSCALING_LAUNCH_CONFIG_PUBLIC_IP_DISABLED")


def _events(aws, region="us-east-1", **params):
    trail = aws.session().client("cloudtrail", region_name=region)
    pages = trail.get_paginator("lookup_events").paginate(**params)
    return [event for page in pages for event in page["Events"]]


def _names(events):
    return [e["EventName"] for e in events]


def test_every_emulated_service_records_its_mutations_and_no_reads(local, org, root_id, make_ou):
    session = local.session()
    ou = make_ou(root_id, "Workloads")
    org.tag_resource(ResourceId=ou, Tags=[{"Key": "CostCenter", "Value": "42"}])
    org.list_accounts()
    org.enable_aws_service_access(ServicePrincipal=PRINCIPAL)
    session.client("cloudformation").create_stack_set(
        StackSetName="baseline", TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED",
        AutoDeployment={"Enabled": True, "RetainStacksOnAccountRemoval": False})
    portfolio = session.client("servicecatalog").create_portfolio(
        DisplayName="Builders", ProviderName="Platform", IdempotencyToken="t1")
    session.client("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Sec", Title="CISO",
        EmailAddress="sec@example.com", PhoneNumber="+1 555 0100")
    s3 = session.client("s3")
    s3.create_bucket(Bucket="vend-snapshots")
    s3.put_object(Bucket="vend-snapshots", Key="k", Body=b"x")  # a data event: not returned

    events = _events(local)
    assert [(e["EventSource"], e["EventName"]) for e in events] == [
        ("s3.amazonaws.com", "CreateBucket"),
        ("account.amazonaws.com", "PutAlternateContact"),
        ("servicecatalog.amazonaws.com", "CreatePortfolio"),
        ("cloudformation.amazonaws.com", "CreateStackSet"),
        ("organizations.amazonaws.com", "EnableAWSServiceAccess"),
        ("organizations.amazonaws.com", "TagResource"),
        ("organizations.amazonaws.com", "CreateOrganizationalUnit"),
    ]
    assert {e["ReadOnly"] for e in events} == {"false"}
    assert {e["Username"] for e in events} == {"root"}
    assert {e["AccessKeyId"] for e in events} == {"testing"}
    assert len({e["EventId"] for e in events}) == len(events)
    by_name = {e["EventName"]: e for e in events}
    assert by_name["TagResource"]["Resources"] == [
        {"ResourceType": "AWS::Organizations::OrganizationalUnit", "ResourceName": ou}]
    assert by_name["CreateOrganizationalUnit"]["Resources"] == [
        {"ResourceType": "AWS::Organizations::Root", "ResourceName": root_id}]
    assert by_name["CreateStackSet"]["Resources"] == [
        {"ResourceType": "AWS::CloudFormation::StackSet", "ResourceName": "baseline"}]
    assert by_name["CreateBucket"]["Resources"] == [
        {"ResourceType": "AWS::S3::Bucket", "ResourceName": "vend-snapshots"}]
    detail = json.loads(by_name["TagResource"]["CloudTrailEvent"])
    assert detail["requestParameters"] == {
        "resourceId": ou, "tags": [{"key": "CostCenter", "value": "42"}]}
    assert (detail["eventSource"], detail["eventName"], detail["awsRegion"], detail["readOnly"],
            detail["eventType"], detail["managementEvent"], detail["recipientAccountId"],
            detail["eventCategory"], detail["eventID"]) == (
        "organizations.amazonaws.com", "TagResource", "us-east-1", False, "AwsApiCall", True,
        local.management_account_id, "Management", by_name["TagResource"]["EventId"])
    assert detail["userIdentity"]["type"] == "Root"
    created = json.loads(by_name["CreatePortfolio"]["CloudTrailEvent"])["requestParameters"]
    assert created["displayName"] == "Builders" and created["idempotencyToken"] == "t1"
    assert portfolio["PortfolioDetail"]["Id"]


def test_control_tower_calls_are_recorded_in_the_home_region(ct_local, ct):
    organizations = ct_local.session().client("organizations")
    root_id = organizations.list_roots()["Roots"][0]["Id"]
    security = next(o for o in organizations.list_organizational_units_for_parent(
        ParentId=root_id)["OrganizationalUnits"] if o["Name"] == "Security")
    before = {e["EventId"] for e in _events(ct_local)}
    ct.enable_control(controlIdentifier=CONTROL, targetIdentifier=security["Arn"])
    new = [e for e in _events(ct_local, LookupAttributes=[
        {"AttributeKey": "EventSource", "AttributeValue": "controltower.amazonaws.com"}])
        if e["EventId"] not in before]
    assert _names(new) == ["EnableControl"]
    assert new[0]["Resources"] == [
        {"ResourceType": "AWS::ControlTower::Target", "ResourceName": security["Arn"]},
        {"ResourceType": "AWS::ControlTower::Control", "ResourceName": CONTROL}]
    assert json.loads(new[0]["CloudTrailEvent"])["requestParameters"] == {
        "controlIdentifier": CONTROL, "targetIdentifier": security["Arn"]}


def test_a_failed_or_throttled_call_is_recorded_with_its_error_code(local, org, aws_error):
    aws_error("ParentNotFoundException", org.create_organizational_unit,
              ParentId="ou-zzzz-zzzzzzzz", Name="Nowhere")
    local.faults.throttle("TagResource", 1)
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "v"}])  # retried
    details = [json.loads(e["CloudTrailEvent"]) for e in _events(local)]
    assert [(d["eventName"], d.get("errorCode")) for d in details] == [
        ("TagResource", None), ("TagResource", "TooManyRequestsException"),
        ("CreateOrganizationalUnit", "ParentNotFoundException")]
    assert details[2]["errorMessage"] == ("We can't find a root or OU with the ParentId that "
                                          "you specified.")


def test_lookup_pages_by_at_most_50_newest_first_and_keeps_its_place(local, org, root_id):
    for i in range(120):
        org.tag_resource(ResourceId=root_id, Tags=[{"Key": "n", "Value": str(i)}])
    trail = local.session().client("cloudtrail")
    first = trail.lookup_events()
    assert len(first["Events"]) == 50 and first["NextToken"]
    values = [json.loads(e["CloudTrailEvent"])["requestParameters"]["tags"][0]["value"]
              for e in first["Events"]]
    assert values == [str(i) for i in range(119, 69, -1)]
    org.tag_resource(ResourceId=root_id, Tags=[{"Key": "n", "Value": "late"}])
    second = trail.lookup_events(NextToken=first["NextToken"])
    assert json.loads(second["Events"][0]["CloudTrailEvent"])["requestParameters"][
        "tags"][0]["value"] == "69"
    third = trail.lookup_events(NextToken=second["NextToken"])
    assert len(third["Events"]) == 20 and "NextToken" not in third
    assert len(trail.lookup_events(MaxResults=7)["Events"]) == 7


def test_lookup_errors_are_aws_codes(local, org, root_id, aws_error):
    org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "v"}])
    org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "w"}])
    trail = local.session().client("cloudtrail")
    aws_error("InvalidMaxResultsException", trail.lookup_events, MaxResults=51)
    two = [{"AttributeKey": "EventName", "AttributeValue": "TagResource"}] * 2
    aws_error("InvalidLookupAttributesException", trail.lookup_events, LookupAttributes=two)
    now = datetime.now(timezone.utc)
    aws_error("InvalidTimeRangeException", trail.lookup_events, StartTime=now,
              EndTime=now - timedelta(hours=1))
    aws_error("InvalidNextTokenException", trail.lookup_events, NextToken="not-a-token")
    token = trail.lookup_events(MaxResults=1)["NextToken"]
    aws_error("InvalidNextTokenException", trail.lookup_events, NextToken=token,
              LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "TagResource"}])
    aws_error("ValidationException", trail.lookup_events, LookupAttributes=[
        {"AttributeKey": "Colour", "AttributeValue": "x"}])


def test_lookup_attributes_and_time_window_filter(local, org, root_id, make_ou):
    ou = make_ou(root_id, "Workloads")
    org.tag_resource(ResourceId=ou, Tags=[{"Key": "k", "Value": "v"}])
    org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "v"}])
    every = _events(local)
    tagged_ou = every[1]

    def only(key, value):
        return _names(_events(local, LookupAttributes=[
            {"AttributeKey": key, "AttributeValue": value}]))

    assert only("EventName", "TagResource") == ["TagResource", "TagResource"]
    assert only("ResourceName", ou) == ["TagResource"]
    assert only("ResourceType", "AWS::Organizations::Root") == [
        "TagResource", "CreateOrganizationalUnit"]
    assert only("EventId", tagged_ou["EventId"]) == ["TagResource"]
    assert only("EventSource", "organizations.amazonaws.com") == _names(every)
    assert only("ReadOnly", "true") == []
    assert only("Username", "root") == _names(every)
    assert only("AccessKeyId", "other") == []
    at = every[0]["EventTime"]
    assert len(_events(local, StartTime=at, EndTime=at)) >= 1  # inclusive
    assert _events(local, EndTime=at - timedelta(seconds=1)) == []
    assert _events(local, StartTime=at + timedelta(seconds=1)) == []
    assert _events(local, EventCategory="insight") == []


def test_events_are_kept_per_account_and_region(local, org, new_account):
    member = new_account("Dev")
    role = member_client("sts", member).assume_role(
        RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
        RoleSessionName="alice")["Credentials"]
    as_member = boto3.Session(aws_access_key_id=role["AccessKeyId"],
                              aws_secret_access_key=role["SecretAccessKey"],
                              aws_session_token=role["SessionToken"])
    as_member.client("servicecatalog", region_name="eu-west-1").create_portfolio(
        DisplayName="Local", ProviderName="Dev", IdempotencyToken="m1")
    local.session().client("servicecatalog").create_portfolio(
        DisplayName="Hub", ProviderName="Platform", IdempotencyToken="h1")
    local.session().client("organizations", region_name="eu-west-1").tag_resource(
        ResourceId=member, Tags=[{"Key": "k", "Value": "v"}])

    home = _events(local)
    assert _names(home)[:2] == ["TagResource", "CreatePortfolio"]  # Organizations: us-east-1
    assert "Local" not in json.dumps([e["CloudTrailEvent"] for e in home])
    assert _events(local, region="eu-west-1") == []
    theirs = as_member.client("cloudtrail", region_name="eu-west-1").lookup_events()["Events"]
    assert [(e["EventName"], e["Username"]) for e in theirs] == [("CreatePortfolio", "alice")]
    assert json.loads(theirs[0]["CloudTrailEvent"])["userIdentity"]["type"] == "AssumedRole"


def test_events_show_only_after_the_delivery_delay_and_persist(tmp_path):
    with LocalAws(tmp_path, event_delivery_seconds=3600) as aws:
        org = aws.session().client("organizations")
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "v"}])
        assert _events(aws) == []  # recorded, not delivered yet
    with LocalAws(tmp_path) as aws:
        assert _names(_events(aws)) == ["TagResource"]  # kept across processes
    with LocalAws(tmp_path, event_delivery_seconds=2.0) as aws:
        org = aws.session().client("organizations")
        time.sleep(2.0)  # the first event is older than the delay by now
        org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "w"}])
        assert _names(_events(aws)) == ["TagResource"]  # the new one is not delivered yet
        time.sleep(2.1)
        assert _names(_events(aws)) == ["TagResource", "TagResource"]
    assert reset_state(tmp_path)
    with LocalAws(tmp_path) as aws:
        assert _events(aws) == []  # a fresh organization has no history


@pytest.mark.parametrize("tail", [b"", b'{"torn'])
def test_a_torn_journal_line_costs_only_itself(tmp_path, tail):
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "1"}])
        with open(tmp_path / "local" / "events.jsonl", "ab") as journal:
            journal.write(tail)  # a writer killed mid-line
        org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "2"}])
        assert _names(_events(aws)) == ["TagResource", "TagResource"]


def test_a_served_local_aws_records_and_answers_lookups_too(tmp_path):
    from vending.local import LocalServer

    with LocalServer(tmp_path, port=0) as server:
        def client(service):
            return boto3.client(service, endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id="testing", aws_secret_access_key="testing")

        org = client("organizations")
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.tag_resource(ResourceId=root_id, Tags=[{"Key": "k", "Value": "v"}])
        client("s3").create_bucket(Bucket="served")
        events = client("cloudtrail").lookup_events()["Events"]
    assert [(e["EventName"], e["AccessKeyId"]) for e in events] == [
        ("CreateBucket", "testing"), ("TagResource", "testing")]
    with LocalAws(tmp_path) as aws:  # the same history in-process
        assert [e["EventId"] for e in _events(aws)] == [e["EventId"] for e in events]
