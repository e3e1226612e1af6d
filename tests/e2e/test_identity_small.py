"""Identity Center access on a small repository: `access` inherited down the OU tree (deeper
wins per group), an account's override and its `access: none`, applied, read back through boto3
from the emulator, and planned empty; taking the override away brings the OU's access back."""
from __future__ import annotations

from pathlib import Path

from tests.e2e.test_identity import _identity
from tests.state.small_repo import SMALL_REPO, write

ACCOUNT = "email: aws+{name}@example.com\nou: {ou}\nowner: team\nname: {name}\n"
FILES = {
    **SMALL_REPO,
    "ous/Apps/ou.yaml": "access:\n  Developers: [ReadOnly]\n  Auditors: [ReadOnly]\n",
    "ous/Apps/Prod/ou.yaml": "access:\n  Developers: [Admin]\n  Operators: [Admin, ReadOnly]\n",
    "accounts/app-dev.yaml": ACCOUNT.format(name="app-dev", ou="Apps"),
    "accounts/app-prod.yaml": ACCOUNT.format(name="app-prod", ou="Apps/Prod") + "access:\n  Auditors: none\n",
    "accounts/app-lab.yaml": ACCOUNT.format(name="app-lab", ou="Apps") + "access: none\n",
    "identity/permission-sets/ReadOnly.yaml": "managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
    "identity/permission-sets/Admin.yaml": ("session_duration: PT1H\n"
                                            "managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n"),
}


def test_ou_inheritance_account_override_and_none(tmp_path: Path, vend) -> None:
    repo = write(tmp_path / "repo", FILES)
    assert vend(repo, "apply", "--auto-approve").code == 0
    sets, found = _identity(repo)
    assert set(sets) == {"Admin", "ReadOnly"}
    assert found == {
        ("Developers", "app-dev", "ReadOnly"), ("Auditors", "app-dev", "ReadOnly"),
        # Prod's Developers replaces Apps'; Operators comes from Prod; the account drops Auditors
        ("Developers", "app-prod", "Admin"), ("Operators", "app-prod", "Admin"), ("Operators", "app-prod", "ReadOnly"),
    }
    assert vend(repo, "plan", "--detailed-exitcode").code == 0

    lab = repo / "accounts/app-lab.yaml"
    lab.write_text(lab.read_text().replace("access: none\n", ""))
    result = vend(repo, "apply", "--auto-approve")
    assert result.code == 0, result.err
    _, found = _identity(repo)
    assert {("Developers", "app-lab", "ReadOnly"), ("Auditors", "app-lab", "ReadOnly")} <= found
    assert vend(repo, "plan", "--detailed-exitcode").code == 0
