"""Strict OU rules: AWS's errors where moto is lenient (moto-coverage section 1)."""
from __future__ import annotations


def test_delete_ou_with_child_ou_is_refused(org, root_id, make_ou, aws_error):
    """API_DeleteOrganizationalUnit: OrganizationalUnitNotEmptyException."""
    parent = make_ou(root_id, "Workloads")
    make_ou(parent, "Dev")
    aws_error("OrganizationalUnitNotEmptyException", org.delete_organizational_unit,
              OrganizationalUnitId=parent)


def test_delete_ou_with_account_is_refused(org, root_id, make_ou, new_account, aws_error):
    """API_DeleteOrganizationalUnit: OrganizationalUnitNotEmptyException."""
    ou = make_ou(root_id, "Sandbox")
    account_id = new_account("Sandbox One")
    org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou)
    aws_error("OrganizationalUnitNotEmptyException", org.delete_organizational_unit,
              OrganizationalUnitId=ou)


def test_delete_empty_ou_detaches_its_policies(org, root_id, make_ou):
    """API_DeleteOrganizationalUnit; a deleted OU is no target of FullAWSAccess any more."""
    ou = make_ou(root_id, "Empty")
    org.delete_organizational_unit(OrganizationalUnitId=ou)
    targets = org.list_targets_for_policy(PolicyId="p-FullAWSAccess")["Targets"]
    assert ou not in {t["TargetId"] for t in targets}
    assert "Empty" not in [o["Name"] for o in org.list_organizational_units_for_parent(
        ParentId=root_id)["OrganizationalUnits"]]


def test_create_ou_under_unknown_parent(org, aws_error):
    """API_CreateOrganizationalUnit: ParentNotFoundException."""
    aws_error("ParentNotFoundException", org.create_organizational_unit,
              ParentId="ou-zzzz-zzzzzzzz", Name="Orphan")


def test_create_ou_duplicate_name_is_per_parent(org, root_id, make_ou, aws_error):
    """API_CreateOrganizationalUnit: DuplicateOrganizationalUnitException among siblings only."""
    workloads = make_ou(root_id, "Workloads")
    make_ou(workloads, "Dev")
    aws_error("DuplicateOrganizationalUnitException", org.create_organizational_unit,
              ParentId=workloads, Name="Dev")
    make_ou(root_id, "Dev")  # same name under another parent is fine


def test_rename_ou_duplicate_is_per_parent(org, root_id, make_ou, aws_error):
    """API_UpdateOrganizationalUnit: DuplicateOrganizationalUnitException among siblings only."""
    workloads = make_ou(root_id, "Workloads")
    dev = make_ou(workloads, "Dev")
    make_ou(workloads, "Prod")
    aws_error("DuplicateOrganizationalUnitException", org.update_organizational_unit,
              OrganizationalUnitId=dev, Name="Prod")
    renamed = org.update_organizational_unit(OrganizationalUnitId=dev, Name="Security")
    assert renamed["OrganizationalUnit"]["Name"] == "Security"  # a root-level name: allowed


def test_ou_depth_limit_is_five(org, root_id, make_ou, aws_error):
    """API_CreateOrganizationalUnit ("For service control policies, the limit is five"),
    aws-facts 2.1: ConstraintViolationException reason OU_DEPTH_LIMIT_EXCEEDED."""
    parent = root_id
    for level in range(1, 6):
        parent = make_ou(parent, f"L{level}")
    response = aws_error("ConstraintViolationException", org.create_organizational_unit,
                         ParentId=parent, Name="L6")
    assert response["Reason"] == "OU_DEPTH_LIMIT_EXCEEDED"
