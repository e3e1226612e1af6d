"""Rewrite vending/model/aws_regions.json from the installed botocore; review the diff before
committing. `tests/model/test_regions_data.py` fails when the two disagree.

    python -m tests.model.regen_regions
"""
from __future__ import annotations

import json
import re

import botocore
from botocore.loaders import Loader

from vending.model.regions import DATA_FILE


def from_botocore() -> dict:
    """Regions per partition from botocore's `partitions` data, without the `aws-global`-style
    pseudo-regions (names that do not match the partition's regionRegex)."""
    partitions = {}
    for partition in Loader().load_data("partitions")["partitions"]:
        pattern = re.compile(partition["regionRegex"])
        partitions[partition["id"]] = sorted(r for r in partition["regions"] if pattern.match(r))
    return {"source": f"botocore {botocore.__version__} data/partitions.json", "partitions": partitions}


def main() -> None:
    DATA_FILE.write_text(json.dumps(from_botocore(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DATA_FILE}")


if __name__ == "__main__":
    main()
