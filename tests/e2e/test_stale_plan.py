"""A stale saved plan is refused, naming what changed in the organization since it was made."""
from __future__ import annotations

import json

from vending.local import LocalAws
from vending.plan.changes import FORMAT_VERSION


def test_a_stale_plan_names_the_resources_whose_live_state_changed(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    assert vend(example, "plan", "--out", str(saved)).code == 0
    plan = json.loads(saved.read_text())
    assert plan["format_version"] == FORMAT_VERSION == 2
    assert "account:123456789012" in plan["live_digests"]
    with LocalAws(example / ".vend") as aws:
        org = aws.session().client("organizations")
        root = org.list_roots()["Roots"][0]["Id"]
        console = org.create_organizational_unit(ParentId=root, Name="Console")["OrganizationalUnit"]["Id"]
        org.tag_resource(ResourceId="123456789012", Tags=[{"Key": "owner", "Value": "someone-else"}])
    result = vend(example, "apply", str(saved))
    assert result.code == 1
    assert result.err.startswith("Error: plan is stale, run vend plan again: the organization changed since")
    assert result.err.endswith(
        f": account Management (123456789012) changed; OU Console ({console}) is new\n"
    )


def test_a_plan_of_the_previous_format_is_refused_with_how_to_fix_it(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    old = json.loads(saved.read_text())
    old["format_version"] = 1
    saved.write_text(json.dumps(old))
    result = vend(example, "apply", str(saved))
    assert (result.code, result.err) == (1, (
        "Error: plan format_version 1 is not supported (this vend reads 2); run `vend plan --out`"
        " again with this version\n"
    ))
