"""AWS Support in the local AWS: cases, as AWS answers them, for support-plan enrollment.

moto 5.2.5 answers CreateCase and DescribeCases but never refuses a caller without a plan,
and advances each case's status (and severity) on every DescribeCases (aws-facts §14e), so a
status read means nothing. This plug-in answers the operations itself (`handlers`, through
`vending.local.modeled`, checked against botocore's `support/2013-04-15` model) from a store
persisted with the organization: a case stays `opened` until someone resolves it (ResolveCase,
or `resolve(case_id)` for a test playing AWS Support). Its state: `plans` (account id -> plan:
the local management account has Enterprise Support, every other account Basic) and `cases`
(caller account id -> cases, oldest first).
"""
from __future__ import annotations

from typing import Any

from moto.support.responses import SupportResponse

from vending.local.framework import EmulatorContext
from vending.local.modeled import ModeledService
from vending.local.support.handlers import HANDLERS


class Support:
    """Emulator plug-in: support plans and cases (`handlers` holds AWS's rules)."""

    name = "support"

    def __init__(self) -> None:
        self.plans: dict[str, str] = {}
        self.cases: dict[str, list[dict[str, Any]]] = {}
        self.service = ModeledService("support", self, HANDLERS)

    def install(self, ctx: EmulatorContext) -> None:
        self.service.install_on(ctx, SupportResponse)

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A fresh landing zone: the management account on Enterprise Support, no cases."""
        self.plans = {ctx.settings.management_account_id: "enterprise"}
        self.cases = {}

    def resolve(self, case_id: str) -> None:
        """Play AWS Support: the request was handled, the case is resolved."""
        for cases in self.cases.values():
            for case in cases:
                if case["caseId"] == case_id:
                    case["status"] = "resolved"

    def state(self) -> Any:
        return {"plans": self.plans, "cases": self.cases}

    def restore(self, state: Any) -> None:
        if not isinstance(state["plans"], dict) or not isinstance(state["cases"], dict):
            raise TypeError("support snapshot is not a mapping")
        self.plans, self.cases = state["plans"], state["cases"]
