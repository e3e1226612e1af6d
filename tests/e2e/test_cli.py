"""CLI contract: exit codes, validate output, show, graph, help."""
from __future__ import annotations

import io
import json
import sys

import pytest


def test_validate_reports_every_problem_with_file_line_code_and_exits_1(example, vend):
    (example / "accounts" / "payments-dev.yaml").write_text(
        "name: payments-dev\nemail: not-an-email\nou: Workloads/Nowhere\nowner: x@example.com\n"
    )
    result = vend(example, "validate")
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if not line.startswith(" ")]
    assert lines[0].startswith("accounts/payments-dev.yaml:2: V104 email: ")
    assert lines[1].startswith("accounts/payments-dev.yaml:3: V106 ou: ")
    assert lines[-1] == f"{len(lines) - 1} problem(s); nothing was read from or sent to AWS."
    assert "Traceback" not in result.err


def test_validate_accepts_the_example(example, vend):
    result = vend(example, "validate")
    assert (result.code, result.out) == (0, "The repository is valid.\n")


def test_plan_on_an_invalid_repo_exits_1_without_touching_aws(example, vend):
    (example / "vend.yaml").write_text("version: 1\nhome_region: [\n")
    result = vend(example, "plan")
    assert result.code == 1
    assert result.err.startswith("vend.yaml:")
    assert not (example / ".vend").exists()


def test_show_renders_a_saved_plan_in_every_format(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    vend(example, "plan", "--out", str(saved))
    assert vend(example, "show", str(saved), "--format", "json").out == saved.read_text()
    assert vend(example, "show", str(saved)).out.rstrip().endswith("Plan: 51 to add, 14 to change, 0 to destroy.")
    assert "| Action |" in vend(example, "show", str(saved), "--format", "markdown").out


def test_show_refuses_a_plan_of_another_format_version(example, vend, tmp_path):
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps({"format_version": 99}))
    result = vend(example, "show", str(saved))
    assert result.code == 1
    assert "format_version 99 is not supported" in result.err


def test_graph_prints_edges_prerequisite_to_dependent(example, vend):
    dot = vend(example, "graph", "--format", "dot").out
    assert dot.startswith("digraph")
    assert '"ou:Workloads" -> "ou:Workloads/Dev"' in dot
    mermaid = vend(example, "graph", "--format", "mermaid").out
    assert mermaid.startswith("flowchart")


def test_every_command_has_help_with_an_example(example, vend):
    for command in ("validate", "plan", "apply", "show", "graph", "local init", "local reset", "local serve"):
        result = vend(example, *command.split(), "--help")
        assert result.code == 0
        assert "Example" in result.out, command


def test_local_init_sets_up_control_tower(example, vend):
    result = vend(example, "local", "init", "--control-tower")
    assert result.code == 0, result.err
    assert "Account Factory product prod-" in result.out
    assert "1 registered OU(s), 2 enrolled account(s)" in result.out


def test_repo_works_before_and_after_every_subcommand(example, vend, monkeypatch, tmp_path):
    from vending.cli import main

    monkeypatch.chdir(tmp_path)  # no vend.yaml here: only --repo can find the example
    for command in ("validate", "plan", "graph", "local init", "local reset"):
        monkeypatch.setattr(sys, "argv", ["vend", *command.split(), "--repo", str(example)])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0, command
    assert vend(example, "validate").code == 0  # and before it, as `vend --repo X validate`


def test_apply_without_a_terminal_says_how_to_approve_without_a_usage_banner(example, vend, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    result = vend(example, "apply")
    assert result.code == 1
    assert result.err.splitlines()[-1] == (
        "Error: the plan has changes to approve and there is no terminal to ask: pass --auto-approve,"
        " or save the plan with `vend plan --out plan.json`, review it and apply exactly it with"
        " `vend apply plan.json`"
    )
    assert "Usage:" not in result.err and "Try 'vend" not in result.err
