"""Change addresses: stable, human-readable names that double as graph node ids."""
from __future__ import annotations

from vending.model.types import POLICY_FOLDERS, OuPath, path_str


def policy_type(policy_type_name: str) -> str:
    return f"policy_type:{policy_type_name}"


def policy(policy_type_name: str, name: str) -> str:
    return f"policy:{POLICY_FOLDERS[policy_type_name]}/{name}"


def ou(path: OuPath) -> str:
    return f"ou:{path_str(path)}"


def ou_tags(path: OuPath) -> str:
    return f"ou_tags:{path_str(path)}"


def attachment(policy_type_name: str, name: str, target: OuPath) -> str:
    return f"policy_attachment:{POLICY_FOLDERS[policy_type_name]}/{name}@{path_str(target)}"


def tag_option(key: str, value: str) -> str:
    return f"tag_option:{key}={value}"


def catalog_product(name: str) -> str:
    return f"catalog_product:{name}"


def product_version(product: str, version: str, artifact_id: str = "") -> str:
    """`product_version:<p>/<v>`; with an artifact id, an older artifact of that name."""
    return f"product_version:{product}/{version}" + (f"#{artifact_id}" if artifact_id else "")


def portfolio(name: str) -> str:
    return f"portfolio:{name}"


def catalog_constraint(portfolio_name: str, product: str, constraint_type: str) -> str:
    return f"catalog_constraint:{portfolio_name}/{product}/{constraint_type.lower()}"


def catalog_org_access() -> str:
    return "catalog_org_access"


def portfolio_share(portfolio_name: str, share: str) -> str:
    return f"portfolio_share:{portfolio_name}@{share}"


def account(name: str) -> str:
    return f"account:{name}"


def account_tags(name: str) -> str:
    return f"account_tags:{name}"


def ou_registration(path: OuPath) -> str:
    return f"ou_registration:{path_str(path)}"


def control(control_id: str, target: OuPath) -> str:
    return f"control:{control_id}@{path_str(target)}"


def enrollment(name: str) -> str:
    return f"enrollment:{name}"


def stacksets_access() -> str:
    return "stacksets_access"


def account_access() -> str:
    return "account_access"


def contact(account_name: str, kind: str) -> str:
    return f"alternate_contact:{account_name}/{kind}"


def permission_set(name: str) -> str:
    return f"permission_set:{name}"


def permission_set_provisioning(name: str) -> str:
    return f"permission_set_provisioning:{name}"


def account_assignment(account_name: str, group: str, permission_set: str) -> str:
    return f"account_assignment:{account_name}/{group}/{permission_set}"


def stack_set(baseline: str) -> str:
    return f"stack_set:{baseline}"


STACK_INSTANCE_PURPOSES = ("remove", "deploy", "fill", "retry", "exclude")
"""The instance operations of one stack set, in the order they run (each waits for the one
before: a stack set runs one operation at a time)."""


def stack_instances(baseline: str, purpose: str) -> str:
    return f"stack_instances:{baseline}/{purpose}"


def marketplace_access() -> str:
    return "marketplace_access"


def marketplace_service_role() -> str:
    return "marketplace_service_role"


def marketplace(kind: str, experience: str, part: str = "") -> str:
    """`marketplace_<kind>:<experience>` (its vend name), `/<part>` for an audience's two steps."""
    return f"marketplace_{kind}:{experience}" + (f"/{part}" if part else "")
