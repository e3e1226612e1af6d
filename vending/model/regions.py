"""AWS Regions by partition, for checking home_region and governed_regions without AWS.

`vending/model` never imports botocore (house rule 1), so the names come from a small JSON copy
of botocore's `partitions` data (aws_regions.json), written by `python -m
tests.model.regen_regions`; a test fails as soon as the installed botocore knows other Regions.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

DATA_FILE = Path(__file__).with_name("aws_regions.json")


@functools.cache
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def source() -> str:
    """Where the list came from, e.g. "botocore 1.44.8 data/partitions.json"."""
    return _data()["source"]


@functools.cache
def partition_of() -> dict[str, str]:
    """Region name -> partition id ("us-east-1" -> "aws", "cn-north-1" -> "aws-cn")."""
    return {region: partition for partition, regions in _data()["partitions"].items() for region in regions}
