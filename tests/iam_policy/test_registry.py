"""The registry of AWS operations names exactly what vend's source calls, module by module.

Every attribute or string in a module that is the snake_case name of an operation of a service
vend talks to (`client.create_account(...)`, `pages(client, "list_children", ...)`) must be
registered for that module, and every registered operation must be named in its module: a new
call needs a new registry entry (and so a policy that allows it), a removed call leaves none.
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import botocore.session
import pytest
from botocore import xform_name

from vending.iam_policy.operations import INDIRECT, READS, WRITES

ROOT = Path(__file__).resolve().parents[2] / "vending"
SERVICES = ("organizations", "cloudformation", "controltower", "servicecatalog", "s3", "sts", "account",
            "iam", "sso-admin", "identitystore", "budgets", "support", "cloudtrail", "ec2", "events",
            "marketplace-catalog", "license-manager")
"""Services whose operation names are looked for (more than vend calls, so a new one is caught)."""
NOT_CALLS = ("local", "policy")
"""Packages that name operations without calling AWS: the emulator, and the request policy
(whose label keys are named after operations, e.g. close_account)."""
SCRATCH_ONLY = ("vending.rehearse.copy", "vending.rehearse.copy_stacksets")
"""Modules that call only the scratch local emulator of `vend rehearse` (building its copy of
the organization); the rehearsal reads the live organization through vending.state."""


def _operations_by_name() -> dict[str, set[str]]:
    session = botocore.session.get_session()
    by_name: dict[str, set[str]] = {}
    for service in SERVICES:
        model = session.get_service_model(service)
        prefix = model.signing_name or model.endpoint_prefix
        for name in model.operation_names:
            by_name.setdefault(xform_name(name), set()).add(f"{prefix}:{name}")
    return by_name


OPERATIONS = _operations_by_name()


def named_operations(path: Path) -> dict[str, set[str]]:
    """snake_case name -> the operations it may be, for each operation named in the file."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        name = node.attr if isinstance(node, ast.Attribute) else (
            node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None)
        if name in OPERATIONS:
            found[name] = OPERATIONS[name]
    return found


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(p for p in parts if p != "__init__")
        if parts[1] not in NOT_CALLS and name not in SCRATCH_ONLY:
            found[name] = path
    return found


REGISTERED = {module: set(ops) for registry in (READS, WRITES) for module, ops in registry.items()}


@pytest.mark.parametrize("module", sorted(modules()))
def test_every_operation_a_module_names_is_registered_for_it(module: str) -> None:
    registered = REGISTERED.get(module, set())
    missing = {name: sorted(ops) for name, ops in named_operations(modules()[module]).items()
               if not ops & registered}
    assert not missing, f"{module} calls operations vending/iam_policy/operations.py does not list for it: {missing}"


@pytest.mark.parametrize("module", sorted(REGISTERED))
def test_every_registered_operation_is_named_in_its_module(module: str) -> None:
    path = modules().get(module)
    assert path is not None, f"{module} is registered but is no module of vend"
    named = {op for ops in named_operations(path).values() for op in ops}
    assert REGISTERED[module] <= named, f"registered for {module} but not called there: {REGISTERED[module] - named}"


def test_indirect_calls_name_real_modules_and_operations() -> None:
    for module, ops in INDIRECT.items():
        assert importlib.util.find_spec(module) is not None, module
        assert all(op in {o for names in OPERATIONS.values() for o in names} for op in ops), ops


def test_the_scan_finds_a_new_call(tmp_path: Path) -> None:
    """The scan is what fails when an applier grows a call: it sees both spellings."""
    source = tmp_path / "m.py"
    source.write_text("def f(org):\n    org.close_account(AccountId='1')\n    pages(org, 'list_children', 'Children')\n")
    assert named_operations(source) == {"close_account": {"organizations:CloseAccount"},
                                        "list_children": {"organizations:ListChildren"}}
