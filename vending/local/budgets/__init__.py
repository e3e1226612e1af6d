"""AWS Budgets in the local AWS: budgets, notifications and subscribers, as AWS answers them.

moto 5.2.5 answers 7 of Budgets' 26 operations (no UpdateBudget, CreateSubscriber,
DescribeSubscribersForNotification, UpdateNotification; aws-facts §14e), keeps them in memory,
does not page DescribeBudgets, and checks nothing of who may call. This plug-in answers the
operations vend uses itself (`handlers`, through `vending.local.modeled`, so requests and answers
are checked against botocore's `budgets/2016-10-20` model), persisted with the organization.
Its state: owner account id -> budget name -> {"budget": Budget, "alerts": [{"notification",
"subscribers"}]}.
"""
from __future__ import annotations

from typing import Any

from moto.budgets.responses import BudgetsResponse

from vending.local.budgets.handlers import HANDLERS
from vending.local.framework import EmulatorContext
from vending.local.modeled import ModeledService


class Budgets:
    """Emulator plug-in: every account's budgets (`handlers` holds AWS's rules)."""

    name = "budgets"

    def __init__(self) -> None:
        self.budgets: dict[str, dict[str, dict[str, Any]]] = {}
        self.service = ModeledService("budgets", self, HANDLERS)

    def install(self, ctx: EmulatorContext) -> None:
        self.service.install_on(ctx, BudgetsResponse)

    def bootstrap(self, ctx: EmulatorContext) -> None:
        """A fresh landing zone: no budgets."""
        self.budgets = {}

    def state(self) -> Any:
        return {"budgets": self.budgets}

    def restore(self, state: Any) -> None:
        saved = state["budgets"]
        if not isinstance(saved, dict):
            raise TypeError("budgets snapshot is not a mapping")
        self.budgets = saved
