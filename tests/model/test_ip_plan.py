"""The IP plan: deterministic allocation, text edits that keep the files as written, idempotency."""
from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path

import pytest

from tests.model.repo import VEND, MakeRepo
from vending.allocate import add_network, allocate
from vending.errors import ValidationFailed
from vending.model.ip_plan import PoolExhausted, free_blocks
from vending.model.loader import validate

REPO_ROOT = Path(__file__).resolve().parents[2]
IP = """ip_plan:
  prefix_length: 24
  pools:
    - {region: us-east-1, environment: production, cidr: 10.0.0.0/22}
    - {region: us-east-1, cidr: 10.1.0.0/22}
    - {region: eu-west-1, cidr: 10.2.0.0/22}
"""
VPC = """Parameters:
  Cidr:
    Type: String
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref Cidr
"""


def _files(**accounts: str) -> dict[str, str | None]:
    files: dict[str, str | None] = {
        "vend.yaml": VEND.replace("[us-east-1]", "[us-east-1, eu-west-1]") + IP,
        "ous/Apps/ou.yaml": "default_account_tags:\n  cost-center: apps\nbaselines: [vpc]\n",
        "ous/Other/ou.yaml": "default_account_tags:\n  cost-center: other\n",
        "baselines/vpc/baseline.yaml": "description: A VPC.\nparameters:\n  Cidr: {from: network}\n",
        "baselines/vpc/template.yaml": VPC,
        "accounts/app.yaml": None,
    }
    files.update({f"accounts/{name}.yaml": text for name, text in accounts.items()})
    return files


def _acct(name: str, extra: str = "", ou: str = "Apps") -> str:
    return f"name: {name}\nemail: {name}@example.com\nou: {ou}\nowner: team\n{extra}"


def test_free_blocks_are_the_lowest_aligned_gaps() -> None:
    pool = ipaddress.IPv4Network("10.0.0.0/22")
    used = [ipaddress.IPv4Network("10.0.1.0/24"), ipaddress.IPv4Network("10.0.0.128/25")]
    assert [str(b) for b in free_blocks(pool, 25, used)] == [
        "10.0.0.0/25", "10.0.2.0/25", "10.0.2.128/25", "10.0.3.0/25", "10.0.3.128/25"]
    assert [str(b) for b in free_blocks(pool, 24, used)] == ["10.0.2.0/24", "10.0.3.0/24"]


def test_allocate_fills_lowest_blocks_of_the_right_pool_in_file_order_and_is_idempotent(make_repo: MakeRepo) -> None:
    root = make_repo(_files(
        prod=_acct("prod", "tags:\n  environment: production\n"),
        beta=_acct("beta", "# the beta account\nnetwork:\n  us-east-1: 10.1.0.0/24   # kept as written\n"),
        alpha=_acct("alpha", "network: {eu-west-1: 10.2.1.0/24}  # flow style\n"),
        other=_acct("other", ou="Other"),  # no baseline with {from: network} reaches it
    ))
    before_other = (root / "accounts/other.yaml").read_text()
    written = allocate(root)
    assert [(w.file, w.region, w.cidr) for w in written] == [
        ("accounts/alpha.yaml", "us-east-1", "10.1.1.0/24"),
        ("accounts/beta.yaml", "eu-west-1", "10.2.0.0/24"),
        ("accounts/prod.yaml", "us-east-1", "10.0.0.0/24"),
        ("accounts/prod.yaml", "eu-west-1", "10.2.2.0/24"),
    ]
    assert (root / "accounts/alpha.yaml").read_text() == _acct(
        "alpha", "network: {eu-west-1: 10.2.1.0/24, us-east-1: 10.1.1.0/24}  # flow style\n")
    assert (root / "accounts/beta.yaml").read_text() == _acct(
        "beta", "# the beta account\nnetwork:\n  us-east-1: 10.1.0.0/24   # kept as written\n  eu-west-1: 10.2.0.0/24\n")
    assert (root / "accounts/prod.yaml").read_text() == _acct(
        "prod", "tags:\n  environment: production\nnetwork:\n  us-east-1: 10.0.0.0/24\n  eu-west-1: 10.2.2.0/24\n")
    assert (root / "accounts/other.yaml").read_text() == before_other
    assert validate(root) == []
    snapshot = {p: p.read_text() for p in (root / "accounts").iterdir()}
    assert allocate(root) == []
    assert {p: p.read_text() for p in (root / "accounts").iterdir()} == snapshot


def test_allocate_on_the_example_repository_changes_nothing(tmp_path: Path) -> None:
    for part in ("vend.yaml", "ous", "accounts", "policies", "baselines", "identity"):
        source = REPO_ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / part)
    assert allocate(tmp_path) == []


def test_an_exhausted_pool_stops_allocate_with_the_pool_and_the_account(make_repo: MakeRepo) -> None:
    names = ["a", "b", "c", "d", "e"]  # each pool holds four /24; us-east-1 comes first
    root = make_repo(_files(**{n: _acct(n) for n in names}))
    with pytest.raises(PoolExhausted) as caught:
        allocate(root)
    assert str(caught.value) == ("vend.yaml:12: pool 10.1.0.0/22 in us-east-1 has no free /24 left for "
                                 "accounts/e.yaml; widen the pool (allocations already committed stay inside a larger cidr)")
    assert "network" not in (root / "accounts/a.yaml").read_text()  # all or nothing


def test_allocate_refuses_a_repository_with_other_errors(make_repo: MakeRepo) -> None:
    root = make_repo(_files(a=_acct("a"), b=_acct("b", "network:\n  us-east-1: 10.1.0.1/24\n")))
    with pytest.raises(ValidationFailed) as caught:
        allocate(root)
    assert [d.code for d in caught.value.diagnostics] == ["V707"]
    assert "network" not in (root / "accounts/a.yaml").read_text()


@pytest.mark.parametrize("text, expected", [
    ("name: x\nnetwork:\n", "name: x\nnetwork:\n  us-east-1: 10.0.0.0/24\n"),
    ("name: x\nnetwork: {}  # later\n", "name: x\nnetwork:  # later\n  us-east-1: 10.0.0.0/24\n"),
    ("name: x", "name: x\nnetwork:\n  us-east-1: 10.0.0.0/24\n"),
    ("network:\n    eu-west-1: 10.1.0.0/24\nname: x\n", "network:\n    eu-west-1: 10.1.0.0/24\n    us-east-1: 10.0.0.0/24\nname: x\n"),
])
def test_add_network_edits_only_the_network_lines(text: str, expected: str) -> None:
    assert add_network(text, {"us-east-1": "10.0.0.0/24"}, "accounts/x.yaml") == expected


def test_vend_allocate_prints_what_it_wrote_then_nothing(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    import sys

    from vending.cli import main

    root = make_repo(_files(web=_acct("web")))
    outputs = []
    for _ in range(2):
        monkeypatch.setattr(sys, "argv", ["vend", "--repo", str(root), "allocate"])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs == [
        "accounts/web.yaml: network.us-east-1: 10.1.0.0/24\naccounts/web.yaml: network.eu-west-1: 10.2.0.0/24\n"
        "Allocated 2 block(s).\n",
        "Nothing to allocate: every account has its blocks.\n",
    ]


@pytest.mark.parametrize("text, expected", [
    ("10.16.0.0/12", "10.16.0.0/12"), ("1.2.3.4/32", "1.2.3.4/32"), ("0.0.0.0/0", "0.0.0.0/0"),
    ("10.0.0.1/8", None), ("256.0.0.0/8", None), ("010.0.0.0/8", None), ("10.0.0/8", None),
    ("10.0.0.0/33", None), ("10.0.0.0", None),
])
def test_network_accepts_only_ipv4_network_addresses(text: str, expected: str | None) -> None:
    from vending.model.ip_plan import network

    result = network(text)
    assert (str(result) if result else None) == expected
    if expected:
        assert result == ipaddress.IPv4Network(text)
