"""One pull-request comment with the plan, edited in place on every push.

The comment starts with a hidden marker, so a later run finds it among the pull request's
comments and edits it instead of adding another. Its body is the Markdown plan sized to GitHub's
comment limit (65,536 characters) together with the marker and the link to the full plan: a
larger plan keeps its summary and as many rows as fit, and the link leads to the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vending.github_api import GitHub
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


def post(github: GitHub, repo: str, number: int, text: str) -> Posted:
    """Edit the pull request's plan comment (the first that carries the marker), or add it."""
    for comment in github.comments(repo, number):
        if (comment.get("body") or "").startswith(MARKER):
            if comment.get("body") == text:
                return Posted("unchanged", str(comment.get("html_url", "")))
            updated = github.update(repo, int(comment["id"]), text)
            return Posted("updated", str(updated.get("html_url", "")))
    created = github.create(repo, number, text)
    return Posted("created", str(created.get("html_url", "")))
