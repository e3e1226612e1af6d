"""A TagOption retired in catalog/tagoptions.yaml: the plan disassociates it from the product that
held it, then deletes it (destructive: --allow-destroy), as AWS refuses DeleteTagOption while it
is associated; deactivating one instead keeps its associations."""
from __future__ import annotations

import json

from tests.e2e.test_catalog_spoke import _with_catalog
from vending.local import LocalAws

LIBRARY = "catalog/tagoptions.yaml"
PRODUCT = "catalog/products/s3-bucket/product.yaml"


def _hub_tag_options(repo):
    with LocalAws(repo / ".vend") as aws:
        client = aws.session().client("servicecatalog", region_name="us-east-1")
        found = {(t["Key"], t["Value"]): t for p in client.get_paginator("list_tag_options").paginate()
                 for t in p["TagOptionDetails"]}
        held = {pair: sorted(r["Name"] for r in client.list_resources_for_tag_option(TagOptionId=t["Id"])[
            "ResourceDetails"]) for pair, t in found.items()}
    return found, held


def test_a_deactivated_tag_option_keeps_its_associations_and_a_retired_one_is_deleted_after_them(example, vend):
    repo = _with_catalog(example)
    assert vend(repo, "apply", "--auto-approve").code == 0
    library = (repo / LIBRARY).read_text()
    (repo / LIBRARY).write_text(library.replace("- {value: confidential}", "- {value: confidential, active: false}"))
    assert vend(repo, "apply", "--auto-approve").code == 0
    found, held = _hub_tag_options(repo)
    assert found[("data-classification", "confidential")]["Active"] is False
    assert held[("data-classification", "confidential")] == ["S3 bucket"]  # kept, as AWS keeps them

    (repo / LIBRARY).write_text(library.replace("- {value: confidential}", "- {value: confidential, retired: true}"))
    product = (repo / PRODUCT).read_text()
    (repo / PRODUCT).write_text(product.replace("data-classification: [internal, confidential]",
                                                "data-classification: [internal]"))
    plan = json.loads(vend(repo, "plan", "--format", "json").out)
    changes = {c["address"]: c for c in plan["changes"]}
    deleted = changes["tag_option:data-classification=confidential"]
    assert (deleted["action"], deleted["destructive"]) == ("delete", True)
    assert deleted["depends_on"] == ["catalog_product:s3-bucket"]
    assert changes["catalog_product:s3-bucket"]["action"] == "update"
    refused = vend(repo, "apply", "--auto-approve")
    assert refused.code != 0 and "--allow-destroy" in refused.out + refused.err
    assert vend(repo, "apply", "--auto-approve", "--allow-destroy").code == 0
    found, held = _hub_tag_options(repo)
    assert ("data-classification", "confidential") not in found
    assert "S3 bucket" in held[("data-classification", "internal")]
    assert "No changes." in vend(repo, "plan").out
