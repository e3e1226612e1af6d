"""The GitHub REST calls the plan comment needs (GitHub.com, or Enterprise Server at
https://HOST/api/v3). Pull-request comments are issue comments in GitHub's API."""
from __future__ import annotations

from typing import Any, Callable, Iterator

from vending.rest_client import RestClient

DEFAULT_API_URL = "https://api.github.com"
COMMENT_LIMIT = 65_536
"""GitHub refuses a comment body over 65,536 characters."""
PER_PAGE = 100
"""GitHub's maximum page size."""


class GitHub(RestClient):
    name = "GitHub"
    url_option = "--github-api-url"
    hints = {
        401: "check the token (GITHUB_TOKEN): it is missing, expired or revoked",
        403: "the token needs write access to the pull request's comments (pull requests or issues: write)",
        404: "check --github-repo and --pr, and that the token can see the repository",
        422: "GitHub did not accept the comment (is it too long?)",
    }
    limit = COMMENT_LIMIT

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, *,
                 sleep: Callable[[float], None] | None = None, timeout: float = 30.0):
        super().__init__(api_url, {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": "2022-11-28",
        }, sleep=sleep, timeout=timeout)

    def comments(self, repo: str, number: int) -> Iterator[dict[str, Any]]:
        """Every comment of the pull request, oldest first."""
        url = f"{self.api_url}/repos/{repo}/issues/{number}/comments?per_page={PER_PAGE}"
        return self.pages(url, f"comments on {repo}#{number}")

    def create(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return self.call("POST", f"{self.api_url}/repos/{repo}/issues/{number}/comments", {"body": body})[0]

    def update(self, repo: str, number: int, comment_id: int, body: str) -> dict[str, Any]:
        return self.call("PATCH", f"{self.api_url}/repos/{repo}/issues/comments/{comment_id}", {"body": body})[0]
