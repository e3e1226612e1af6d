"""File-system surprises are findings, never tracebacks or hangs; links that share are allowed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.model.repo import MakeRepo, account, codes, only
from vending.model.loader import load, validate


def test_a_fifo_named_like_an_account_is_reported_not_read(make_repo: MakeRepo) -> None:
    root = make_repo()
    os.mkfifo(root / "accounts" / "web.yaml")  # reading it would block forever
    found = only(root, "V023")
    assert found.format() == ("accounts/web.yaml:1: V023 not a regular file (a FIFO, socket or device)\n"
                              "    hint: replace it with a regular file, or point the link at one")


def test_a_file_without_read_permission_is_reported(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo({"accounts/web.yaml": account("web")})
    real_read = Path.read_text

    def read_text(self: Path, *args, **kwargs) -> str:  # as root, chmod 000 does not stop a read
        if self.name == "web.yaml":
            raise PermissionError(13, "Permission denied")
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    assert only(root, "V023").format() == (
        "accounts/web.yaml:1: V023 cannot be read: Permission denied\n"
        "    hint: give vend read access (the files and every folder above them), or remove it")


def test_a_link_to_nothing_instead_of_vend_yaml_is_not_called_missing(make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "vend.yaml").unlink()
    (root / "vend.yaml").symlink_to("settings/vend.yaml")
    assert [d.format() for d in validate(root)] == [
        "vend.yaml:1: V022 symbolic link to settings/vend.yaml, which does not exist\n"
        "    hint: point the link at an existing file or folder, or delete it"]


def test_a_broken_ou_yaml_link_is_not_also_a_missing_ou_yaml(make_repo: MakeRepo) -> None:
    root = make_repo({"ous/Apps/ou.yaml": None, "accounts/app.yaml": account("app", ou="Root",
                                                                               extra="tags: {cost-center: x}\n")})
    (root / "ous" / "Apps").mkdir()
    (root / "ous" / "Apps" / "ou.yaml").symlink_to("../../templates/ou.yaml")
    assert codes(root) == {("ous/Apps/ou.yaml", 1, "V022")}


def test_links_that_point_at_each_other(make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "accounts" / "a.yaml").symlink_to("b.yaml")
    (root / "accounts" / "b.yaml").symlink_to("a.yaml")
    assert {d.message for d in validate(root)} == {"symbolic link to b.yaml loops (links that point at each other)",
                                                   "symbolic link to a.yaml loops (links that point at each other)"}


def test_an_accounts_folder_linking_back_to_itself_is_walked_once(make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "accounts" / "again").symlink_to(".")
    assert only(root, "V024").format() == (
        "accounts/again:1: V024 this folder is accounts again, through a symbolic link (a loop)\n"
        "    hint: remove the link: vend follows links, and would read that folder twice without end")


def test_two_links_to_one_accounts_folder(make_repo: MakeRepo, tmp_path_factory: pytest.TempPathFactory) -> None:
    shared = tmp_path_factory.mktemp("shared")
    (shared / "web.yaml").write_text(account("web"))
    root = make_repo()
    (root / "accounts" / "one").symlink_to(shared)
    (root / "accounts" / "two").symlink_to(shared)
    assert only(root, "V024").message == "this folder is accounts/one again, through a symbolic link"
    assert codes(root) == {("accounts/two", 1, "V024")}  # web.yaml read once: no duplicate name or email


def test_an_account_file_linked_under_a_second_name_is_read_once(make_repo: MakeRepo) -> None:
    root = make_repo()
    (root / "accounts" / "copy.yaml").symlink_to("app.yaml")
    assert [d.format() for d in validate(root)] == [
        "accounts/copy.yaml:1: V024 this is accounts/app.yaml again, through a symbolic link\n"
        "    hint: remove the link: each account has one file"]


def test_sharing_through_links_is_allowed(make_repo: MakeRepo) -> None:
    """One ou.yaml for two OUs, one policy document under two names, a linked account folder."""
    scp = '{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}}'
    root = make_repo({"templates/ou.yaml": "default_account_tags:\n  cost-center: shared\n",
                      "ous/Apps/ou.yaml": None, "policies/scp/deny-delete.json": scp,
                      "team/web.yaml": account("web", ou="Web")})
    (root / "ous" / "Apps").mkdir()
    (root / "ous" / "Apps" / "ou.yaml").symlink_to("../../templates/ou.yaml")
    (root / "ous" / "Web").mkdir()
    (root / "ous" / "Web" / "ou.yaml").symlink_to("../../templates/ou.yaml")
    (root / "policies" / "scp" / "deny-delete-again.json").symlink_to("deny-delete.json")
    (root / "accounts" / "team").symlink_to("../team")
    assert [d.format() for d in validate(root)] == []
    org = load(root)
    assert sorted(org.accounts) == ["app", "web"]
    assert org.ous[("Web",)].default_account_tags == {"cost-center": "shared"}
    assert sorted(name for _, name in org.policies) == ["deny-delete", "deny-delete-again"]
