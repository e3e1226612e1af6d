"""Cross-file rules, with their messages and hints checked word for word."""
from __future__ import annotations

from tests.model.repo import SCP, MakeRepo, account, codes, only
from vending.model.loader import load, validate


def test_duplicate_email_points_at_the_second_file_and_names_the_first(make_repo: MakeRepo) -> None:
    root = make_repo({
        "accounts/app.yaml": None,
        "accounts/payments-prod.yaml": account("payments-prod", email="a@x.com"),
        "accounts/payments-dev.yaml": account("payments-dev", email="aws@example.com"),
        "accounts/zeta/payments-dev-2.yaml": account("payments-dev-2", email="A@X.com"),
    })
    found = only(root, "V103")
    assert found.format() == (
        'accounts/zeta/payments-dev-2.yaml:2: V103 email: "A@X.com" is already used by accounts/payments-prod.yaml:2\n'
        "    hint: every AWS account needs its own email address; use a plus-address such as A+payments-dev-2@X.com"
    )


def test_invalid_email_message(make_repo: MakeRepo) -> None:
    found = only(make_repo({"accounts/app.yaml": account("app", email="app@localhost")}), "V104")
    assert (found.file, found.line, found.field) == ("accounts/app.yaml", 2, "email")
    assert found.message == '"app@localhost" has a domain without a dot'
    assert found.hint == ("AWS accepts 6-64 ASCII characters with one @ and a domain containing a dot, "
                          "e.g. aws+app@example.com")


def test_rule_finding_replaces_the_schema_finding_on_the_same_field(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/app.yaml": account("app", email="a@b")})
    assert codes(root) == {("accounts/app.yaml", 2, "V104")}  # the schema's V013 is dropped


def test_names_map_to_file_stems(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/log-archive.yaml": account("Log Archive", ou="Apps"),
                      "accounts/audit.yaml": account("Auditing")})
    found = only(root, "V101")
    assert found.format() == (
        'accounts/audit.yaml:1: V101 name: name "Auditing" belongs in auditing.yaml, not audit.yaml\n'
        "    hint: rename the file to accounts/auditing.yaml or change name: the file name is the name "
        "lower-cased, with spaces and other characters replaced by '-'"
    )


def test_unknown_ou_suggests_the_declared_one(make_repo: MakeRepo) -> None:
    found = only(make_repo({"accounts/app.yaml": account("app", ou="apps")}), "V106")
    assert found.message == 'OU "apps" is not declared: there is no ous/apps/ou.yaml'
    assert found.hint == ("did you mean Apps? use Root or an OU path from the folders under ous/ (case matters), "
                          "or create that ou.yaml")


def test_missing_required_tag_names_where_vend_looked(make_repo: MakeRepo) -> None:
    root = make_repo({"ous/ou.yaml": "default_account_tags:\n  team: all\n",
                      "ous/Apps/ou.yaml": "description: no defaults\n", "ous/Apps/Web/ou.yaml": "",
                      "accounts/app.yaml": account("app", ou="Apps/Web", extra="tags:\n  env: dev\n")})
    found = only(root, "V108")
    assert found.format() == (
        'accounts/app.yaml:5: V108 tags.cost-center: required tag "cost-center" is missing '
        "(its tags, owner, and default_account_tags of Root, Apps, Apps/Web)\n"
        "    hint: add cost-center under tags: here, or to default_account_tags in ous/Apps/Web/ou.yaml "
        "so every account there inherits it"
    )


def test_effective_tags_inherit_from_the_root_down(make_repo: MakeRepo) -> None:
    root = make_repo({
        "ous/ou.yaml": "default_account_tags:\n  env: none\n  tier: root\n  owner: nobody\n",
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\n  tier: apps\n",
        "ous/Apps/Web/ou.yaml": "default_account_tags:\n  tier: web\n  env: prod\n",
        "accounts/app.yaml": account("app", ou="Apps/Web", owner="web-team", extra="tags:\n  env: staging\n"),
    })
    org = load(root)
    assert org.account_tags(org.accounts["app"]) == {
        "env": "staging", "tier": "web", "owner": "web-team", "cost-center": "apps",
    }


def test_more_than_fifty_effective_tags(make_repo: MakeRepo) -> None:
    defaults = "".join(f"  d{i}: x\n" for i in range(45))
    root = make_repo({"ous/ou.yaml": "default_account_tags:\n" + defaults,
                      "accounts/app.yaml": account("app", extra="tags:\n" + "".join(f"  a{i}: y\n" for i in range(4)))})
    assert only(root, "V109").message == (
        "the account would carry 51 tags (inherited, owner and its own); AWS allows 50")


def test_too_many_scps_counts_full_aws_access(make_repo: MakeRepo) -> None:
    files = {f"policies/scp/p{i}.json": SCP for i in range(5)}
    files["ous/ou.yaml"] = "scps: [p0, p1, p2, p3, p4]\n"
    found = only(make_repo(files), "V307")
    assert found.format() == (
        "ous/ou.yaml:1: V307 scps: 6 SCPs would be attached to Root (FullAWSAccess, p0, p1, p2, p3, p4); "
        "AWS allows 5\n"
        "    hint: merge some SCPs into one document, or set full_aws_access: false (then FullAWSAccess is not counted)"
    )
    files["ous/ou.yaml"] = "full_aws_access: false\nscps: [p0, p1, p2, p3, p4, FullAWSAccess]\n"
    assert {c for _, _, c in codes(make_repo(files))} == {"V311"}


def test_missing_policy_names_the_folder_and_suggests(make_repo: MakeRepo) -> None:
    root = make_repo({"policies/scp/deny-regions.json": SCP, "ous/Apps/ou.yaml": "scps:\n  - deny-region\n"
                      "default_account_tags:\n  cost-center: apps\n"})
    found = only(root, "V308")
    assert (found.line, found.field) == (2, "scps[0]")
    assert found.message == 'SCP "deny-region" has no file: vend looked for policies/scp/deny-region.json'
    assert found.hint == 'did you mean "deny-regions"? add the file, or use one of: deny-regions'


def test_policies_dir_is_honoured(make_repo: MakeRepo) -> None:
    from tests.model.repo import VEND

    root = make_repo({"vend.yaml": VEND + "policies_dir: org/policies\n", "org/policies/scp/base.json": SCP,
                      "ous/ou.yaml": "scps: [base]\n"})
    assert validate(root) == []
    assert load(root).policies[("SERVICE_CONTROL_POLICY", "base")].source.file == "org/policies/scp/base.json"


def test_policies_dir_outside_the_repository_is_not_read(make_repo: MakeRepo) -> None:
    from tests.model.repo import VEND

    root = make_repo({"vend.yaml": VEND + "policies_dir: ../elsewhere\n"})
    assert codes(root) == {("vend.yaml", 8, "V013")}


def test_ou_names_collide_ignoring_case(make_repo: MakeRepo) -> None:
    root = make_repo({"ous/apps/ou.yaml": ""})
    found = only(root, "V203")
    assert found.format() == (
        'ous/apps/ou.yaml:1: V203 name: "apps" clashes under Root with OU "Apps" of ous/Apps/ou.yaml:1\n'
        "    hint: OU names under one parent must differ ignoring case: rename one folder, or drop "
        "renamed_from once the rename is applied"
    )


def test_case_only_rename_is_not_a_collision(make_repo: MakeRepo) -> None:
    root = make_repo({"ous/Apps/ou.yaml": "renamed_from: apps\ndefault_account_tags:\n  cost-center: apps\n"})
    assert validate(root) == []
    assert load(root).ous[("Apps",)].renamed_from == "apps"


def test_quarantine_ou_must_exist(make_repo: MakeRepo) -> None:
    found = only(make_repo({"ous/Suspended/ou.yaml": None}), "V402")
    assert found.format() == (
        'vend.yaml:7: V402 quarantine_ou: quarantine OU "Suspended" is not declared: there is no ous/Suspended/ou.yaml\n'
        "    hint: create ous/Suspended/ou.yaml (suspended accounts are moved there), or point quarantine_ou "
        "at an existing OU"
    )


def test_retired_ou_with_accounts_and_children(make_repo: MakeRepo) -> None:
    root = make_repo({"ous/Apps/ou.yaml": "retired: true\ndefault_account_tags:\n  cost-center: apps\n",
                      "ous/Apps/Web/ou.yaml": "", "ous/Apps/Old/ou.yaml": "retired: true\n"})
    assert codes(root) == {("accounts/app.yaml", 3, "V107"), ("ous/Apps/ou.yaml", 1, "V205")}
    assert only(root, "V205").message == "OU \"Apps\" is retired but these OUs below it are not: Apps/Web"


def test_duplicate_account_names_in_sub_folders(make_repo: MakeRepo) -> None:
    root = make_repo({"accounts/a/web.yaml": account("web"), "accounts/b/web.yaml": account("web", email="w2@example.com")})
    found = only(root, "V102")
    assert found.message == '"web" is already used by accounts/a/web.yaml:1'


def test_every_problem_is_reported_at_once(make_repo: MakeRepo) -> None:
    root = make_repo({
        "vend.yaml": None,
        "accounts/app.yaml": "name: app\nemail: app@example.com\nou: [Apps\n",
        "accounts/web.yaml": account("web", ou="Nowhere"),
        "ous/Apps/ou.yaml": "scps: [missing]\n",
    })
    assert codes(root) == {("vend.yaml", 1, "V401"), ("accounts/app.yaml", 4, "V001"),
                           ("accounts/web.yaml", 3, "V106"), ("ous/Apps/ou.yaml", 1, "V308")}
