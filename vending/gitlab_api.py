"""The GitLab REST (v4) calls the plan comment needs: merge-request notes, on GitLab.com or a
self-managed instance (https://HOST/api/v4). The project is its numeric id or its full path."""
from __future__ import annotations

from typing import Any, Callable, Iterator
from urllib.parse import quote

from vending.rest_client import RestClient

DEFAULT_API_URL = "https://gitlab.com/api/v4"
COMMENT_LIMIT = 1_000_000
"""GitLab refuses a note over 1,000,000 characters."""
PER_PAGE = 100
"""GitLab's maximum page size."""


class GitLab(RestClient):
    name = "GitLab"
    url_option = "--gitlab-api-url"
    hints = {
        401: "check the token (GITLAB_TOKEN): it is missing, expired or revoked",
        403: "the token needs the api scope and at least the Reporter role on the project",
        404: "check --gitlab-project and --pr (the merge request's iid), and that the token can see the project",
        422: "GitLab did not accept the note",
    }
    limit = COMMENT_LIMIT

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, *,
                 sleep: Callable[[float], None] | None = None, timeout: float = 30.0):
        super().__init__(api_url, {"PRIVATE-TOKEN": token}, sleep=sleep, timeout=timeout)

    def _notes(self, project: str, iid: int) -> str:
        return f"{self.api_url}/projects/{quote(project, safe='')}/merge_requests/{iid}/notes"

    def comments(self, project: str, iid: int) -> Iterator[dict[str, Any]]:
        """Every note of the merge request, oldest first."""
        url = f"{self._notes(project, iid)}?per_page={PER_PAGE}&sort=asc&order_by=created_at"
        return self.pages(url, f"notes on {project}!{iid}")

    def create(self, project: str, iid: int, body: str) -> dict[str, Any]:
        return self.call("POST", self._notes(project, iid), {"body": body})[0]

    def update(self, project: str, iid: int, note_id: int, body: str) -> dict[str, Any]:
        return self.call("PUT", f"{self._notes(project, iid)}/{note_id}", {"body": body})[0]
