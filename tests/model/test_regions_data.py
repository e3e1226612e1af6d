"""vending/model/aws_regions.json is botocore's Region list, copied (vending/model may not import
botocore); this test is the only place the two meet."""
from __future__ import annotations

import json

from tests.model.regen_regions import from_botocore
from vending.model import regions


def test_region_list_matches_the_installed_botocore() -> None:
    shipped = json.loads(regions.DATA_FILE.read_text(encoding="utf-8"))
    assert shipped == from_botocore(), "run python -m tests.model.regen_regions and commit the result"


def test_partitions_are_found_by_region() -> None:
    assert regions.partition_of()["eu-west-1"] == "aws"
    assert regions.partition_of()["cn-north-1"] == "aws-cn"
    assert regions.partition_of()["us-gov-west-1"] == "aws-us-gov"
    assert "aws-global" not in regions.partition_of()
