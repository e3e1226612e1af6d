"""Start-up (issue 12 point 6): `vend --version` and `vend --help` import no command, and a
warm `vend validate` imports neither boto3, rich, the engine nor cfn-lint; `--help` still lists
every command with the short help its docstring gives."""
from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from vending.cli.app import COMMANDS, cli

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("rich", "boto3", "botocore", "jinja2", "networkx", "moto", "yaml", "jsonschema", "cfnlint",
         "vending.engine", "vending.model.loader", "vending.local")
PROBE = """import json, sys
args, watch, eager = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3] == "eager"
sys.argv = ["vend", *args]
from vending.cli import main
if eager:
    import click
    from vending.cli.app import cli
    context = click.Context(cli)
    for name in cli.list_commands(context):
        cli.get_command(context, name)
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in watch if m in sys.modules)))
"""


def _imported(tmp_path: Path, *args: str, watch: tuple[str, ...] = HEAVY, eager: bool = False) -> tuple[list[str], str]:
    """Run vend in a fresh interpreter (eager: every command imported first); the watched
    modules it imported, and its output."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(watch), "eager" if eager else ""],
                          capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    *output, modules = done.stdout.splitlines()
    return json.loads(modules), "\n".join(output)


@pytest.mark.parametrize("args", [("--version",), ("--help",)])
def test_version_and_help_import_no_command(tmp_path, args):
    modules, output = _imported(tmp_path, *args, watch=(*HEAVY, *{f"vending.cli.{m}" for m, _ in COMMANDS.values()}))
    assert modules == []
    assert output


def test_a_warm_validate_imports_neither_boto3_rich_the_engine_nor_cfn_lint(tmp_path):
    cold, said = _imported(tmp_path, "validate")
    assert said == "The repository is valid."
    assert "cfnlint" in cold  # the first run lints the example's templates and keeps the findings
    warm, said_again = _imported(tmp_path, "validate")
    assert said_again == said
    assert [m for m in warm if m not in ("jinja2", "yaml", "vending.model.loader")] == []


def test_help_lists_every_command_as_if_all_were_imported(tmp_path):
    _, lazy = _imported(tmp_path, "--help")
    modules, eager = _imported(tmp_path, "--help", watch=("vending.cli.applying", "vending.cli.local"), eager=True)
    assert modules == ["vending.cli.applying", "vending.cli.local"]
    assert "Commands:" in lazy and all(f"  {name} " in lazy for name in COMMANDS)
    assert lazy == eager


def test_each_commands_short_help_is_its_docstrings_first_paragraph():
    ctx = click.Context(cli, info_name="vend")
    for name, (module, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.callback is not None, name
        assert command.callback.__module__ == f"vending.cli.{module}", name
        first = inspect.cleandoc(command.help or "").split("\n\n")[0]
        assert " ".join(first.split()) == summary, name
