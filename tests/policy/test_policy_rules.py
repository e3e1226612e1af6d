"""Each rule of the request policy, on a git repository with a base commit and a pull request:
the finding word for word when the pull request breaks it, none when it satisfies it."""
from __future__ import annotations

from tests.policy.repo import POLICY, PrRepo, account

PROD = "accounts/db-prod.yaml"


def only(found: list[str], code: str) -> list[str]:
    return [f for f in found if f" {code} " in f.splitlines()[0]]


# R001: OUs that need a label for new and moved accounts


def test_new_account_in_a_labelled_ou_needs_its_label(pr: PrRepo) -> None:
    pr.write({PROD: account("db-prod", ou="Prod")})
    pr.commit("add db-prod")
    assert only(pr.findings(), "R001") == [
        "accounts/db-prod.yaml:3: R001 ou: new account db-prod in Prod needs the label prod-approved"
        " (rule for Prod and the OUs below it)\n    hint: add the label prod-approved to the pull request"
    ]
    assert only(pr.findings("prod-approved"), "R001") == []
    assert only(pr.findings("Prod-Approved"), "R001") == []  # GitHub's labels ignore case


def test_rules_of_every_ou_above_apply_below_it(pr: PrRepo) -> None:
    pr.write({PROD: account("db-prod", ou="Prod/Regulated")})
    pr.commit("add db-prod")
    assert [f.splitlines()[0] for f in only(pr.findings("prod-approved"), "R001")] == [
        "accounts/db-prod.yaml:3: R001 ou: new account db-prod in Prod/Regulated needs the label"
        " compliance-approved (rule for Prod/Regulated and the OUs below it)"
    ]
    assert only(pr.findings("prod-approved", "compliance-approved"), "R001") == []


def test_moved_account_needs_the_label_of_the_ou_it_enters(pr: PrRepo) -> None:
    pr.write({"accounts/app.yaml": account("app", ou="Prod")})
    pr.commit("move app")
    assert [f.splitlines()[0] for f in only(pr.findings(), "R001")] == [
        "accounts/app.yaml:3: R001 ou: account app moved from Apps to Prod needs the label prod-approved"
        " (rule for Prod and the OUs below it)"
    ]
    assert only(pr.findings("prod-approved"), "R001") == []


def test_unchanged_and_departing_accounts_need_no_label(pr: PrRepo) -> None:
    pr.write({"accounts/web-prod.yaml": account("web-prod", ou="Apps"),
              "accounts/app.yaml": account("app", extra="tags:\n  cost-center: payments\n")})
    pr.commit("move web-prod out of Prod; retag app")
    assert only(pr.findings(), "R001") == []


def test_unsuspending_into_a_labelled_ou_is_a_move_into_it(make_pr) -> None:
    repo = make_pr({"accounts/web-prod.yaml": account("web-prod", ou="Prod", extra="state: suspended\n")})
    repo.write({"accounts/web-prod.yaml": account("web-prod", ou="Prod")})
    repo.commit("unsuspend")
    assert [f.splitlines()[0] for f in only(repo.findings(), "R001")] == [
        "accounts/web-prod.yaml:3: R001 ou: account web-prod moved from Suspended to Prod needs the label"
        " prod-approved (rule for Prod and the OUs below it)"
    ]


# R002: email domains


def test_email_outside_the_allowed_domains(pr: PrRepo) -> None:
    pr.write({"accounts/new.yaml": account("new", email="new@gmail.com"),
              "accounts/sub.yaml": account("sub", email="sub@eu.corp.example.com"),
              "accounts/upper.yaml": account("upper", email="upper@EXAMPLE.COM")})
    pr.commit("add accounts")
    assert only(pr.findings(), "R002") == [
        'accounts/new.yaml:2: R002 email: "new@gmail.com" is not in an allowed domain (example.com,'
        " *.corp.example.com)\n    hint: use an email address in one of the allowed domains: example.com,"
        " *.corp.example.com"
    ]


def test_wildcard_domains_cover_subdomains_only(pr: PrRepo) -> None:
    pr.write({"accounts/bare.yaml": account("bare", email="bare@corp.example.com.evil.io")})
    pr.commit("add")
    assert [f.splitlines()[0] for f in only(pr.findings(), "R002")] == [
        'accounts/bare.yaml:2: R002 email: "bare@corp.example.com.evil.io" is not in an allowed domain'
        " (example.com, *.corp.example.com)"
    ]


def test_email_rule_checks_changed_emails_not_untouched_ones(make_pr) -> None:
    repo = make_pr({"accounts/old.yaml": account("old", email="old@legacy.io")})
    repo.write({"accounts/app.yaml": account("app", email="app@legacy.io"),
                "accounts/old.yaml": account("old", email="old@legacy.io", extra="tags:\n  cost-center: payments\n")})
    repo.commit("change app's email")
    assert [f.splitlines()[0] for f in only(repo.findings(), "R002")] == [
        'accounts/app.yaml:2: R002 email: "app@legacy.io" is not in an allowed domain (example.com, *.corp.example.com)'
    ]


def test_single_domain_hint(make_pr) -> None:
    repo = make_pr({"request-policy.yaml": POLICY.replace("[example.com, '*.corp.example.com']", "[example.com]")})
    repo.write({"accounts/new.yaml": account("new", email="new@gmail.com")})
    repo.commit("add")
    assert only(repo.findings(), "R002") == [
        'accounts/new.yaml:2: R002 email: "new@gmail.com" is not in an allowed domain (example.com)\n'
        "    hint: use an email address @example.com"
    ]


# R003: allowed tag values, on effective tags


def test_tag_value_from_the_account_file(pr: PrRepo) -> None:
    pr.write({"accounts/new.yaml": account("new", extra="tags:\n  cost-center: marketing\n  expires: soon\n"),
              "accounts/ok.yaml": account("ok", extra="tags:\n  cost-center: payments\n  expires: \"2026-01-31\"\n")})
    pr.commit("add")
    assert only(pr.findings(), "R003") == [
        'accounts/new.yaml:6: R003 tags.cost-center: "marketing" is not an allowed value of tag cost-center'
        " (allowed: apps, payments)\n    hint: use an allowed value (see tag_values.cost-center in"
        " main:request-policy.yaml)",
        'accounts/new.yaml:7: R003 tags.expires: "soon" is not an allowed value of tag expires'
        " (allowed: values matching \\d{4}-\\d{2}-\\d{2})\n    hint: use an allowed value (see tag_values.expires in"
        " main:request-policy.yaml)",
    ]


def test_pattern_must_match_the_whole_value(pr: PrRepo) -> None:
    pr.write({"accounts/new.yaml": account("new", extra="tags:\n  expires: 2026-01-31 or later\n")})
    pr.commit("add")
    assert len(only(pr.findings(), "R003")) == 1


def test_inherited_value_is_reported_once_at_the_ou_naming_its_accounts(pr: PrRepo) -> None:
    pr.write({"ous/Prod/ou.yaml": "default_account_tags:\n  cost-center: marketing\n",
              "accounts/api-prod.yaml": account("api-prod", ou="Prod")})
    pr.commit("retag Prod")
    assert only(pr.findings("prod-approved"), "R003") == [
        'ous/Prod/ou.yaml:2: R003 default_account_tags.cost-center: "marketing" is not an allowed value of tag'
        " cost-center (allowed: apps, payments); inherited by api-prod, web-prod\n    hint: use an allowed value"
        " (see tag_values.cost-center in main:request-policy.yaml)"
    ]


def test_only_changed_tags_of_existing_accounts_are_checked(make_pr) -> None:
    repo = make_pr({"accounts/app.yaml": account("app", extra="tags:\n  cost-center: legacy\n")})
    repo.write({"accounts/app.yaml": account("app", extra="tags:\n  cost-center: legacy\n  expires: soon\n")})
    repo.commit("add expires")
    assert [f.splitlines()[0] for f in only(repo.findings(), "R003")] == [
        'accounts/app.yaml:7: R003 tags.expires: "soon" is not an allowed value of tag expires'
        " (allowed: values matching \\d{4}-\\d{2}-\\d{2})"
    ]


def test_closed_accounts_tags_are_not_checked(pr: PrRepo) -> None:
    pr.write({"accounts/app.yaml": account("app", extra="state: closed\ntags:\n  cost-center: gone\n")})
    pr.commit("close app")
    assert only(pr.findings("destroy-approved"), "R003") == []


# R004: new accounts per pull request


def test_more_new_accounts_than_allowed(pr: PrRepo) -> None:
    pr.write({f"accounts/a{i}.yaml": account(f"a{i}") for i in range(3)})
    pr.commit("add three")
    assert only(pr.findings(), "R004") == [
        "accounts/a2.yaml:1: R004 this pull request adds 3 new accounts (a0, a1, a2); the policy allows at most 2\n"
        "    hint: move 1 of them to another pull request"
    ]


def test_new_accounts_up_to_the_limit(pr: PrRepo) -> None:
    pr.write({f"accounts/a{i}.yaml": account(f"a{i}") for i in range(2)})
    pr.commit("add two")
    assert pr.findings() == []


# R005-R008: removals need labels


def test_closing_an_account_needs_its_label(pr: PrRepo) -> None:
    pr.write({"accounts/app.yaml": account("app", extra="state: closed\n")})
    pr.commit("close")
    assert pr.findings() == [
        "accounts/app.yaml:5: R005 state: closing account app needs the label destroy-approved\n"
        "    hint: add the label destroy-approved to the pull request"
    ]
    assert pr.findings("destroy-approved") == []


def test_suspending_an_account_needs_its_label(pr: PrRepo) -> None:
    pr.write({"accounts/app.yaml": account("app", extra="state: suspended\n")})
    pr.commit("suspend")
    assert pr.findings() == [
        "accounts/app.yaml:5: R006 state: suspending account app needs the label destroy-approved\n"
        "    hint: add the label destroy-approved to the pull request"
    ]
    assert pr.findings("destroy-approved") == []


def test_an_account_already_closed_needs_nothing(make_pr) -> None:
    repo = make_pr({"accounts/app.yaml": account("app", extra="state: closed\n")})
    repo.write({"accounts/app.yaml": account("app", extra="state: closed\n# gone\n")})
    repo.commit("comment")
    assert repo.findings() == []


def test_retiring_an_ou_needs_its_label(pr: PrRepo) -> None:
    pr.write({"ous/Prod/Regulated/ou.yaml": "description: PCI.\nretired: true\n"})
    pr.commit("retire")
    assert pr.findings() == [
        "ous/Prod/Regulated/ou.yaml:2: R007 retired: retiring OU Prod/Regulated needs the label destroy-approved\n"
        "    hint: add the label destroy-approved to the pull request"
    ]
    assert pr.findings("destroy-approved") == []


def test_detaching_a_policy_needs_its_label(pr: PrRepo) -> None:
    pr.write({"ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nscps: []\n",
              "ous/ou.yaml": "scps: [deny-s3-delete]\nfull_aws_access: false\n"})
    pr.commit("detach")
    assert pr.findings() == [
        "ous/Apps/ou.yaml:3: R008 scps: detaching SCP deny-s3-delete from OU Apps needs the label security-approved\n"
        "    hint: add the label security-approved to the pull request",
        "ous/ou.yaml:2: R008 full_aws_access: detaching SCP FullAWSAccess from the root needs the label"
        " security-approved\n    hint: add the label security-approved to the pull request",
    ]
    assert pr.findings("security-approved") == []


def test_attaching_and_renaming_detach_nothing(pr: PrRepo) -> None:
    pr.write({"ous/Prod/ou.yaml": None,
              "ous/Production/ou.yaml": "renamed_from: Prod\ndefault_account_tags:\n  cost-center: apps\n"
                                        "scps: [deny-s3-delete]\n",
              "ous/Production/Regulated/ou.yaml": "description: PCI.\n",
              "ous/Prod/Regulated/ou.yaml": None,
              "accounts/web-prod.yaml": account("web-prod", ou="Production"),
              "request-policy.yaml": POLICY.replace("ou: Prod", "ou: Production")})
    pr.commit("rename Prod, attach an SCP")
    assert only(pr.findings(), "R008") == []


def test_a_removal_kind_without_a_label_in_the_policy_needs_none(make_pr) -> None:
    repo = make_pr({"request-policy.yaml": POLICY.replace("  close_account: destroy-approved\n", "")})
    repo.write({"accounts/app.yaml": account("app", extra="state: closed\n")})
    repo.commit("close")
    assert repo.findings() == []


# R010: a file only the author may review


def test_author_who_is_the_only_reviewer(pr: PrRepo) -> None:
    pr.write({"accounts/app-prod.yaml": account("app-prod"), "accounts/b-prod.yaml": account("b-prod")})
    pr.commit("add")
    assert pr.findings(author="Alice") == [
        "accounts/app-prod.yaml:1: R010 only @alice may review this file and 1 more file(s), and @alice is the"
        " author of the pull request\n    hint: GitHub does not count an author's own approval: add another owner"
        " to the reviewers rule of these paths in main:request-policy.yaml, or have someone else open the pull"
        " request"
    ]
    assert pr.findings(author="bob") == []
    assert pr.findings() == []


def test_every_finding_at_once(pr: PrRepo) -> None:
    pr.write({PROD: account("db-prod", ou="Prod/Regulated", email="db@gmail.com",
                            extra="tags:\n  cost-center: marketing\n"),
              "accounts/app.yaml": account("app", extra="state: closed\n")})
    pr.commit("several")
    assert [f.split(":", 2)[1] + " " + f.split()[1] for f in pr.findings()] == [
        "5 R005", "2 R002", "3 R001", "3 R001", "6 R003",
    ]


def test_a_rule_on_root_covers_every_ou(make_pr) -> None:
    repo = make_pr({"request-policy.yaml": "version: 1\nou_labels:\n  - {ou: Root, label: vending}\n"})
    repo.write({"accounts/new.yaml": account("new"), "accounts/top.yaml": account("top", ou="Root", extra="tags: {cost-center: apps}\n")})
    repo.commit("add two")
    assert [f.splitlines()[0] for f in repo.findings()] == [
        "accounts/new.yaml:3: R001 ou: new account new in Apps needs the label vending (rule for every OU)",
        "accounts/top.yaml:3: R001 ou: new account top in Root needs the label vending (rule for every OU)",
    ]
    assert repo.findings("vending") == []


def test_detaching_a_tag_policy_from_the_root(make_pr) -> None:
    tag = '{"tags": {"cost-center": {"tag_key": {"@@assign": "cost-center"}}}}\n'
    repo = make_pr({"policies/tag/cost-center.json": tag,
                    "ous/ou.yaml": "scps: [deny-s3-delete]\ntag_policies: [cost-center]\n"})
    repo.write({"ous/ou.yaml": "scps: [deny-s3-delete]\n"})
    repo.commit("drop the tag policy")
    assert [f.splitlines()[0] for f in repo.findings()] == [
        "ous/ou.yaml:1: R008 tag_policies: detaching tag policy cost-center from the root needs the label"
        " security-approved"]


def test_a_retired_ou_needs_the_retire_label_only(pr: PrRepo) -> None:
    pr.write({"ous/Apps/ou.yaml": "retired: true\nscps: []\n", "accounts/app.yaml": account("app", ou="Root", extra="tags: {cost-center: apps}\n")})
    pr.commit("retire Apps")
    assert [f.splitlines()[0] for f in pr.findings()] == [
        "ous/Apps/ou.yaml:1: R007 retired: retiring OU Apps needs the label destroy-approved"]
