"""Generated live organizations for the import round trip, drawn as AWS could hold them:
deep OU trees, tags on OUs and accounts, names that need sanitising or collide (as file stems,
or as OU names ignoring case), SCPs and tag policies attached at several levels, suspended
(closed) accounts, accounts without an owner tag, and a Control Tower landing zone."""
from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import strategies as st

from tests.plan.builders import control_tower
from vending.model.live import EnabledControl, LiveAccount, LiveOrg, LiveOu, LivePolicy, ProvisionedAccount
from vending.model.policy_json import canonical
from vending.model.types import FULL_AWS_ACCESS, SCP, TAG_POLICY, ControlTowerSettings, OrgSettings, Target

MANAGEMENT = "111111111111"
ROOT_ID = "r-gen0"
OU_NAMES = ("Dev", "Prod", "Team A", "Apps", "Data") * 3 + ("dev", "ou.yaml", ".hidden", "Root", "Data/Lake")
"""Mostly names a folder can hold; some that cannot, or that clash with a sibling ignoring case."""
ACCOUNT_NAMES = ("Team A", "team-a", "team a!", "Payments", "payments", "x", "Data Lake (prod)", "app.v2",
                 ".dot", "---", "Zeta_1")
SCP_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                    "Resource": "*"}]}
TAG_DOC = {"tags": {"cost-center": {"tag_key": {"@@assign": "cost-center"}}}}
POLICIES = {
    "p-full": LivePolicy("p-full", FULL_AWS_ACCESS, SCP, "", aws_managed=True),
    "p-deny-a": LivePolicy("p-deny-a", "deny-a", SCP, canonical(json.dumps(SCP_DOC))),
    "p-deny-b": LivePolicy("p-deny-b", "Deny B", SCP, canonical(json.dumps({**SCP_DOC, "Version": "2012-10-17"}))),
    "p-guard": LivePolicy("p-guard", "aws-guardrails-abc", SCP, canonical(json.dumps(SCP_DOC))),
    "p-tags": LivePolicy("p-tags", "cost-center", TAG_POLICY, canonical(json.dumps(TAG_DOC))),
}
CUSTOMER_SCPS = ("p-deny-a", "p-deny-b")


def settings(engine: str, required: tuple[str, ...] = ()) -> OrgSettings:
    return OrgSettings(home_region="us-east-1", governed_regions=("us-east-1",), account_factory=engine,
                       target=Target(), required_tags=required, quarantine_ou=("Suspended",),
                       control_tower=ControlTowerSettings())


def vend_yaml(engine: str, required: tuple[str, ...] = ()) -> dict:
    data = {"version": 1, "home_region": "us-east-1", "governed_regions": ["us-east-1"],
            "account_factory": engine, "target": {"kind": "local"}, "quarantine_ou": "Suspended"}
    return {**data, "required_tags": list(required)} if required else data


@st.composite
def policies_on(draw: st.DrawFn, *, guardrails: bool) -> dict[str, tuple[str, ...]]:
    """At least one SCP (AWS's minimum), at most five; maybe the tag policy."""
    scps = draw(st.lists(st.sampled_from(CUSTOMER_SCPS), unique=True, max_size=2))
    if draw(st.booleans()) or not scps:
        scps.append("p-full")
    if guardrails and draw(st.booleans()):
        scps.append("p-guard")
    tags = ("p-tags",) if draw(st.booleans()) else ()
    return {SCP: tuple(sorted(scps)), TAG_POLICY: tags}


tag_maps = st.dictionaries(st.sampled_from(("team", "purpose")), st.sampled_from(("a", "b")), max_size=2)


@st.composite
def organizations(draw: st.DrawFn) -> tuple[LiveOrg, str, tuple[str, ...]]:
    engine = draw(st.sampled_from(("organizations", "control-tower")))
    ct = engine == "control-tower"
    root = LiveOu(ROOT_ID, "Root", None, (), tags=draw(tag_maps), policies=draw(policies_on(guardrails=False)))
    ous = {"ou-gen0-susp0000": LiveOu("ou-gen0-susp0000", "Suspended", ROOT_ID, ("Suspended",), tags={},
                             policies={SCP: ("p-deny-a",), TAG_POLICY: ()})}
    nodes = [root, ous["ou-gen0-susp0000"]]
    for n in range(draw(st.integers(0, 8))):
        deepen = len(nodes[-1].path) < 5 and draw(st.booleans())
        parent = nodes[-1] if deepen else draw(st.sampled_from([o for o in nodes if len(o.path) < 5]))
        name = draw(st.sampled_from(OU_NAMES))
        if any(o.parent_id == parent.id and o.name == name for o in ous.values()):
            continue  # AWS refuses two siblings of one name
        ou = LiveOu(f"ou-gen0-{n:08d}", name, parent.id, parent.path + (name,), tags=draw(tag_maps),
                    policies=draw(policies_on(guardrails=ct)))
        ous[ou.id] = ou
        nodes.append(ou)
    accounts = {MANAGEMENT: LiveAccount(MANAGEMENT, "Management", "management@example.com", "ACTIVE", ROOT_ID,
                                        {"owner": "platform", "cost-center": "platform"})}
    for n in range(draw(st.integers(0, 10))):
        account_id = f"{200000000000 + n}"
        parent = draw(st.sampled_from(nodes))
        tags = {"cost-center": draw(st.sampled_from(("payments", "research")))}
        if draw(st.integers(0, 4)):  # mostly shared by the OU's accounts: material for defaults
            tags["tier"] = f"tier-{len(parent.path)}"
        if draw(st.integers(0, 5)):
            tags["owner"] = draw(st.sampled_from(("alice", "bob")))
        tags.update(draw(st.dictionaries(st.sampled_from(("environment", "app")),
                                         st.sampled_from(("dev", "prod", "")), max_size=2)))
        if draw(st.integers(0, 6)) == 0:
            del tags["cost-center"]
        accounts[account_id] = LiveAccount(
            account_id, draw(st.sampled_from(ACCOUNT_NAMES)), f"aws+{n}@example.com",
            draw(st.sampled_from(("ACTIVE", "ACTIVE", "ACTIVE", "SUSPENDED"))),
            parent.id, tags)
    live = LiveOrg("o-gen0", MANAGEMENT, root, (SCP, TAG_POLICY), ous, accounts, dict(POLICIES))
    if not ct:
        return live, engine, draw(st.sampled_from(((), ("cost-center",))))
    registered = [o.id for o in ous.values() if o.id == "ou-gen0-susp0000" or draw(st.integers(0, 4))]
    controls = [(o, "arn:aws:controltower:us-east-1::control/AWS-GR_RESTRICT_ROOT_USER")
                for o in registered if draw(st.booleans())]
    provisioned = [ProvisionedAccount(f"pp-{a.id}", f"Console-{a.id}", "AVAILABLE", account_id=a.id, email=a.email)
                   for a in accounts.values() if a.id != MANAGEMENT and draw(st.sampled_from((True, True, True, False)))]
    live = control_tower(live, registered=registered, provisioned=provisioned)
    extra = tuple(EnabledControl(arn, live.ou_arn(ou_id), "SUCCEEDED") for ou_id, arn in controls)
    return replace(live, control_tower=replace(live.control_tower, enabled_controls=extra)), engine, \
        draw(st.sampled_from(((), ("cost-center",))))
