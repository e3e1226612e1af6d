"""`vend comment`: the plan as one pull-request comment, against a local fake of GitHub's API."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from vending.pr_comment import MARKER
from vending.plan.changes import Action, Change, Kind, Plan

from tests.e2e.fake_github import BODY_LIMIT, TOKEN, FakeGitHub, serve

REPO, PR = "acme/org", 7


@pytest.fixture
def github(monkeypatch):
    fake = FakeGitHub()
    server = serve(fake)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    yield fake
    server.shutdown()
    server.server_close()


def _comment(vend, example, fake, plan: Path, *extra: str):
    return vend(example, "comment", "--plan", str(plan), "--github-repo", REPO, "--pr", str(PR),
                "--github-api-url", fake.url, *extra)


def _ours(fake: FakeGitHub) -> list[dict]:
    return [c for c in fake.comments.get(PR, []) if c["body"].startswith(MARKER)]


def test_the_comment_is_created_then_edited_in_place(example, vend, github, tmp_path):
    first = tmp_path / "first.json"
    assert vend(example, "plan", "--out", str(first)).code == 0
    result = _comment(vend, example, github, first)
    assert result.code == 0, result.err
    [created] = _ours(github)
    assert result.out.startswith(f"Plan comment created on {REPO}#{PR} (")
    assert result.out.endswith(f": {created['html_url']}\n")
    assert created["body"].startswith(MARKER + "\n### vend plan: 51 to add, 14 to change, 0 to destroy\n")

    assert _comment(vend, example, github, first).out.startswith("Plan comment unchanged on")
    assert vend(example, "apply", "--auto-approve").code == 0
    second = tmp_path / "second.json"
    vend(example, "plan", "--out", str(second))
    result = _comment(vend, example, github, second, "--full-plan-url", "https://ci.test/artifacts/plan.json")
    assert result.out.startswith(f"Plan comment updated on {REPO}#{PR} (")
    [updated] = _ours(github)
    assert updated["id"] == created["id"]
    assert updated["body"] == (f"{MARKER}\n### vend plan: no changes\n\n" + updated["body"].split("\n\n", 1)[1])
    assert updated["body"].endswith("\n[The full plan](https://ci.test/artifacts/plan.json)\n")
    assert [m for m, _ in github.requests] == ["GET", "POST", "GET", "GET", "PATCH"]


def test_an_existing_comment_is_found_on_a_later_page(example, vend, github, tmp_path):
    for i in range(230):
        github.add(PR, f"review comment {i}")
    ours = github.add(PR, MARKER + "\nan old plan")
    for i in range(20):
        github.add(PR, f"later comment {i}")
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    result = _comment(vend, example, github, saved)
    assert result.code == 0, result.err
    assert result.out.startswith("Plan comment updated")
    assert [c["id"] for c in _ours(github)] == [ours["id"]]
    listed = [path for method, path in github.requests if method == "GET"]
    assert listed == [f"/repos/{REPO}/issues/{PR}/comments?per_page=100",
                      f"/repos/{REPO}/issues/{PR}/comments?per_page=100&page=2",
                      f"/repos/{REPO}/issues/{PR}/comments?per_page=100&page=3"]
    assert len(github.comments[PR]) == 251


def test_an_oversized_plan_is_cut_to_the_limit_with_a_link_to_the_full_plan(example, vend, github, tmp_path):
    changes = [Change(f"account:team-{i:05d}", Kind.ACCOUNT, Action.CREATE, f"declared in accounts/team-{i:05d}.yaml",
                      after={"name": f"team-{i:05d}", "ou": "Workloads/Dev", "email": f"aws+team-{i:05d}@example.com"})
               for i in range(4000)]
    saved = tmp_path / "plan.json"
    saved.write_text(Plan(fingerprint="f" * 64, changes=changes, order=[[c.address for c in changes]]).dumps())
    result = _comment(vend, example, github, saved, "--full-plan-url", "https://ci.test/build/9/plan.json")
    assert result.code == 0, result.err
    [posted] = _ours(github)
    assert BODY_LIMIT - 2_000 < len(posted["body"]) <= BODY_LIMIT
    assert posted["body"].startswith(MARKER + "\n### vend plan: 4000 to add, 0 to change, 0 to destroy\n")
    assert re.search(r"\n_\d+ more changes not listed; see the JSON plan artifact", posted["body"])
    assert posted["body"].endswith("\n[The full plan](https://ci.test/build/9/plan.json)\n")


def test_a_refusal_is_one_clear_message(example, vend, github, tmp_path):
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    github.refusals.append(("POST", 403, {}, {"message": "Resource not accessible by integration"}))
    result = _comment(vend, example, github, saved)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"Error: GitHub refused POST /repos/{REPO}/issues/{PR}/comments: HTTP 403 Resource not accessible by"
        " integration; the token needs write access to the pull request's comments (pull requests or issues: write)\n"
    )
    assert _ours(github) == []


def test_a_bad_token_and_a_missing_token_say_what_to_fix(example, vend, github, tmp_path, monkeypatch):
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    result = _comment(vend, example, github, saved)
    assert result.err == (f"Error: GitHub refused GET /repos/{REPO}/issues/{PR}/comments: HTTP 401 Bad credentials;"
                          " check the token (GITHUB_TOKEN): it is missing, expired or revoked\n")
    monkeypatch.delenv("GITHUB_TOKEN")
    result = _comment(vend, example, github, saved)
    assert (result.code, result.err) == (1, "Error: set GITHUB_TOKEN to a token that may write the pull request's comments\n")
    assert len(github.requests) == 1


def test_throttling_is_retried_after_the_time_github_asks(example, vend, github, tmp_path, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("vending.rest_client.time.sleep", waits.append)
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    github.refusals.append(("GET", 429, {"Retry-After": "3"}, {"message": "slow down"}))
    github.refusals.append(("POST", 502, {}, {"message": "Bad gateway"}))
    result = _comment(vend, example, github, saved)
    assert result.code == 0, result.err
    assert waits == [3.0, 2.0]
    assert len(_ours(github)) == 1


def test_an_unreachable_api_is_one_message_after_retries(example, vend, github, tmp_path, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("vending.rest_client.time.sleep", waits.append)
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    result = vend(example, "comment", "--plan", str(saved), "--github-repo", REPO, "--pr", str(PR),
                  "--github-api-url", "http://127.0.0.1:9")
    assert result.code == 1
    assert result.err.startswith("Error: cannot reach GitHub at http://127.0.0.1:9 (")
    assert result.err.endswith(") after 4 attempts; check the network and --github-api-url\n")
    assert waits == [2.0, 4.0, 8.0]


def test_comment_has_help_with_an_example(example, vend):
    result = vend(example, "comment", "--help")
    assert result.code == 0
    assert "Example, in a pull-request build:" in result.out and "GITHUB_TOKEN" in result.out


def test_gitlab_merge_request_note_is_created_then_edited_in_place(example, vend, github, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    for i in range(120):
        github.add(PR, f"review note {i}")
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    args = ("comment", "--plan", str(saved), "--gitlab-project", "acme/org", "--pr", str(PR),
            "--gitlab-api-url", f"{github.url}/api/v4")
    result = vend(example, *args)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Plan comment created on acme/org!{PR} (")
    [created] = _ours(github)
    assert vend(example, *args).out.startswith("Plan comment unchanged")
    result = vend(example, *args, "--full-plan-url", "https://ci.test/plan.json")
    assert result.out.startswith("Plan comment updated")
    assert [c["id"] for c in _ours(github)] == [created["id"]]
    notes = f"/api/v4/projects/acme%2Forg/merge_requests/{PR}/notes"
    assert github.requests[:3] == [("GET", f"{notes}?per_page=100&sort=asc&order_by=created_at"),
                                   ("GET", f"{notes}?per_page=100&page=2"), ("POST", notes)]
    assert github.requests[-1] == ("PUT", f"{notes}/{created['id']}")


def test_gitlab_refusal_and_missing_token_are_one_message(example, vend, github, tmp_path, monkeypatch):
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    args = ("comment", "--plan", str(saved), "--gitlab-project", "42", "--pr", "3", "--gitlab-api-url",
            f"{github.url}/api/v4")
    assert vend(example, *args).err == "Error: set GITLAB_TOKEN to a token that may write the pull request's comments\n"
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    github.refusals.append(("GET", 403, {}, {"message": "403 Forbidden"}))
    result = vend(example, *args)
    assert (result.code, result.err) == (1, (
        "Error: GitLab refused GET /projects/42/merge_requests/3/notes: HTTP 403 403 Forbidden; the token needs"
        " the api scope and at least the Reporter role on the project\n"
    ))
    both = vend(example, "comment", "--plan", str(saved), "--gitlab-project", "42", "--github-repo", "a/b", "--pr", "3")
    assert both.code == 2
    assert "give exactly one of --github-repo OWNER/NAME and --gitlab-project ID|PATH" in both.err
