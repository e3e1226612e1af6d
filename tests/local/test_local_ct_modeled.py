"""The model checks every emulator answer goes through (vending/local/modeled.py).

A fake that answers with a shape AWS never sends would let tests pass against a lie
(moto-coverage 8, P5/P6: botocore's own validation keeps fakes honest). Unit tests of the
validator on botocore's `controltower/2018-05-10` and `servicecatalog/2015-12-10` models.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from vending.local.errors import AwsServiceError
from vending.local.modeled import (
    EmulatorContractError,
    check_request,
    check_response,
    service_model,
)


def _op(service, name):
    return service_model(service).operation_model(name)


def test_a_malformed_answer_is_rejected():
    """An operationIdentifier of the wrong length, a status outside the enum, a missing
    required member, an unknown member: each is an emulator bug."""
    op = _op("controltower", "GetBaselineOperation")
    good = {"baselineOperation": {"operationIdentifier": "58f12232-26be-4735-a3e9-dd30d90f021f",
                                  "operationType": "ENABLE_BASELINE", "status": "SUCCEEDED",
                                  "startTime": datetime.now(timezone.utc)}}
    check_response(op, good)
    bad_cases = [
        {"baselineOperation": {**good["baselineOperation"], "operationIdentifier": "op-1"}},
        {"baselineOperation": {**good["baselineOperation"], "status": "DONE"}},
        {},
        {**good, "extra": 1},
    ]
    for bad in bad_cases:
        with pytest.raises(EmulatorContractError):
            check_response(op, bad)


def test_patterns_and_lengths_of_answers_are_checked():
    op = _op("controltower", "EnableBaseline")
    with pytest.raises(EmulatorContractError, match="regular expression"):
        check_response(op, {"operationIdentifier": "58F12232-26BE-4735-A3E9-DD30D90F021F",
                            "arn": "arn:aws:controltower:us-east-1:123456789012:enabledbaseline/X"})


def test_requests_get_aws_validation_messages():
    op = _op("servicecatalog", "DescribeProvisionedProduct")
    with pytest.raises(AwsServiceError) as raised:
        check_request(op, {"Name": "k8s PoC 1"})
    assert raised.value.code == "ValidationException"
    assert "at 'name' failed to satisfy constraint" in raised.value.message
    with pytest.raises(AwsServiceError, match="Missing required parameter"):
        check_request(_op("controltower", "GetLandingZone"), {})
