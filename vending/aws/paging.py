"""Paginating like AWS: Organizations serves at most 20 items a page (aws-facts §2)."""
from __future__ import annotations

from typing import Any, Callable, Iterator

PAGE_SIZE = 20
"""Organizations' documented maximum for list operations."""
UNSIZED = {"list_tags_for_resource"}
"""Paginated operations with no MaxResults: AWS picks the page size."""


def pages(client: Any, operation: str, key: str, *, page_size: int = PAGE_SIZE, **params: Any) -> Iterator[dict]:
    """Every item of a paginated list, requested `page_size` at a time (Organizations' 20 by
    default; other services document their own maximum, e.g. 100 for StackSets lists)."""
    paginator = client.get_paginator(operation)
    config = {} if operation in UNSIZED else {"PageSize": page_size}
    for page in paginator.paginate(**params, PaginationConfig=config):
        yield from page.get(key, [])


def first(client: Any, operation: str, key: str, match: Callable[[dict], bool], **params: Any) -> dict | None:
    """The first item of a paginated list that `match`es, reading no further pages than needed."""
    return next((item for item in pages(client, operation, key, **params) if match(item)), None)


def token_pages(call: Callable[..., dict], key: str, *, token_in: str = "PageToken", token_out: str = "NextPageToken",
                **params: Any) -> Iterator[dict]:
    """Every item of a list botocore cannot paginate (PageToken in, NextPageToken out, as several
    Service Catalog reads; NextToken both ways, as License Manager's lists). A token AWS hands
    back twice ends the read with an error rather than looping: it names the operation so the
    caller can report it."""
    token: str | None = None
    seen: set[str] = set()
    while True:
        page = call(**params, **({token_in: token} if token else {}))
        yield from page.get(key, [])
        token = page.get(token_out)
        if not token:
            return
        if token in seen:
            raise RuntimeError(f"{getattr(call, '__name__', 'the read')} returned the page token {token} twice")
        seen.add(token)


def provisioned_products(servicecatalog: Any, product_id: str) -> Iterator[dict]:
    """Every provisioned product of `product_id` the account sees (SearchProvisionedProducts,
    which botocore cannot paginate: its token is PageToken/NextPageToken), 20 a page."""
    return token_pages(servicecatalog.search_provisioned_products, "ProvisionedProducts",
                       AccessLevelFilter={"Key": "Account", "Value": "self"},
                       Filters={"SearchQuery": [f"productId:{product_id}"]}, PageSize=20)
