"""One pull-request (or merge-request) comment with the plan, edited in place on every push.

The comment starts with a hidden marker, so a later run finds it among the pull request's
comments and edits it instead of adding another. Its body is the Markdown plan sized to the
host's comment limit (GitHub 65,536 characters, GitLab 1,000,000) together with the marker and
the link to the full plan: a larger plan keeps its summary and as many rows as fit, and the link
leads to the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Protocol

from vending.render.markdown import GITHUB_COMMENT_LIMIT, render_markdown

MARKER = "<!-- vend-plan -->"


@dataclass(frozen=True)
class Posted:
    action: str
    """created | updated | unchanged"""
    url: str


def body(plan: dict[str, Any], *, full_plan_url: str | None = None, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The comment: marker, Markdown plan, link; never longer than `limit` characters."""
    footer = f"\n[The full plan]({full_plan_url})\n" if full_plan_url else ""
    head = MARKER + "\n"
    return head + render_markdown(plan, limit=limit - len(head) - len(footer)) + footer


class CodeHost(Protocol):
    """vending.github_api.GitHub, vending.gitlab_api.GitLab."""

    limit: int

    def comments(self, repo: str, number: int) -> Iterator[dict[str, Any]]: ...
    def create(self, repo: str, number: int, body: str) -> dict[str, Any]: ...
    def update(self, repo: str, number: int, comment_id: int, body: str) -> dict[str, Any]: ...


def post(host: CodeHost, repo: str, number: int, text: str) -> Posted:
    """Edit the pull request's plan comment (the first that starts with the marker), or add it."""
    for comment in host.comments(repo, number):
        if (comment.get("body") or "").startswith(MARKER):
            if comment.get("body") == text:
                return Posted("unchanged", str(comment.get("html_url") or ""))
            updated = host.update(repo, number, int(comment["id"]), text)
            return Posted("updated", str(updated.get("html_url") or ""))
    created = host.create(repo, number, text)
    return Posted("created", str(created.get("html_url") or ""))
