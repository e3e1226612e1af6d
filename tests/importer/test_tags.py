"""Factoring shared account tags into OU defaults: where they go, and what is never factored."""
from __future__ import annotations

from vending.importer.tags import factor

NODES = [(), ("Prod",), ("Prod", "EU"), ("Dev",)]


def test_a_tag_every_account_below_shares_goes_to_the_highest_such_ou():
    accounts = [
        (("Prod",), {"owner": "a", "env": "prod", "cc": "pay"}),
        (("Prod", "EU"), {"owner": "a", "env": "prod", "cc": "pay", "region": "eu"}),
        (("Prod", "EU"), {"owner": "b", "env": "prod", "cc": "pay", "region": "eu", "app": "lake"}),
        (("Dev",), {"owner": "a", "env": "dev", "cc": "pay"}),
    ]
    defaults, own = factor(NODES, accounts)
    assert defaults == {(): {"cc": "pay"}, ("Prod",): {"env": "prod"}, ("Prod", "EU"): {"region": "eu"}}
    assert own == [{}, {}, {"app": "lake"}, {"env": "dev"}]


def test_a_value_not_shared_by_all_accounts_below_stays_with_the_accounts():
    accounts = [(("Prod",), {"owner": "a", "cc": "pay"}), (("Prod",), {"owner": "a", "cc": "pay"}),
                (("Prod",), {"owner": "a", "cc": "data"})]
    defaults, own = factor(NODES, accounts)
    assert defaults == {}
    assert own == [{"cc": "pay"}, {"cc": "pay"}, {"cc": "data"}]


def test_owner_and_tags_some_account_lacks_are_never_defaults():
    accounts = [(("Dev",), {"owner": "a", "env": "dev"}), (("Dev",), {"owner": "a"})]
    defaults, own = factor(NODES, accounts)
    assert defaults == {}
    assert own == [{"env": "dev"}, {}]


def test_a_single_account_keeps_its_tags():
    defaults, own = factor(NODES, [(("Prod", "EU"), {"owner": "a", "env": "prod"})])
    assert (defaults, own) == ({}, [{"env": "prod"}])
