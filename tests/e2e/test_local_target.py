"""The default local target: never redirected by ambient AWS settings, usable while `vend local
serve` runs, one server per state, clear errors for corrupt state."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
DEAD = "http://127.0.0.1:9"


def test_ambient_aws_settings_do_not_redirect_the_local_target(example, vend, monkeypatch,
                                                                tmp_path):
    """LocalStack users have AWS_ENDPOINT_URL set; profiles, config files, CA bundles and
    proxies belong to real targets. The local target ignores all of them."""
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\nendpoint_url = {DEAD}\nregion = eu-west-3\n"
                      f"[profile elsewhere]\nendpoint_url = {DEAD}\n")
    for name, value in {
        "AWS_ENDPOINT_URL": DEAD, "AWS_ENDPOINT_URL_ORGANIZATIONS": DEAD,
        "AWS_ENDPOINT_URL_STS": DEAD, "AWS_PROFILE": "elsewhere",
        "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(config),
        "AWS_DEFAULT_REGION": "eu-west-3", "AWS_REGION": "eu-west-3",
        "AWS_CA_BUNDLE": str(tmp_path / "missing.pem"), "AWS_MAX_ATTEMPTS": "1",
        "AWS_USE_FIPS_ENDPOINT": "true", "HTTPS_PROXY": DEAD, "HTTP_PROXY": DEAD,
    }.items():
        monkeypatch.setenv(name, value)
    applied = vend(example, "apply", "--auto-approve")
    assert applied.code == 0, applied.err
    assert vend(example, "plan", "--detailed-exitcode").code == 0


def _serve(repo: Path) -> tuple[subprocess.Popen[str], str]:
    """`vend local serve --port 0` in its own process; returns it and its URL."""
    child = subprocess.Popen([sys.executable, "-m", "vending", "--repo", str(repo), "local",
                              "serve", "--port", "0"], stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert child.stderr is not None
    line = child.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    if found is None:
        child.kill()
        raise AssertionError(f"serve did not start: {line}{child.stderr.read()}")
    return child, found.group(0)


def _stop(child: subprocess.Popen[str]) -> None:
    child.terminate()
    child.wait(timeout=30)


def _client(url: str, service: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"max_attempts": 1}))


def test_plan_and_apply_work_while_the_organization_is_served(example, vend):
    child, url = _serve(example)
    try:
        org = _client(url, "organizations")
        root_id = org.list_roots()["Roots"][0]["Id"]
        org.create_organizational_unit(ParentId=root_id, Name="From-The-CLI")  # aws CLI, say
        started = time.monotonic()
        plan = vend(example, "plan", "--format", "json")
        assert plan.code == 0, plan.err
        assert time.monotonic() - started < 8  # no waiting for the server's lock
        # the plan sees what was done through the server (an OU not in ous/, left alone)
        assert re.search(r'"address": "ou:From-The-CLI",\s+"message": "OU ou-[a-z0-9-]+ is not '
                         r'described in ous/; vend leaves it untouched"', plan.out)
        applied = vend(example, "apply", "--auto-approve")
        assert applied.code == 0, applied.err
        served = {a["Name"] for p in org.get_paginator("list_accounts").paginate()
                  for a in p["Accounts"]}
        assert {"sandbox-bob", "payments-prod"} <= served  # the apply's accounts, over HTTP
        assert vend(example, "plan", "--detailed-exitcode").code == 0
    finally:
        _stop(child)


def test_a_second_serve_fails_before_it_says_serving(example):
    child, url = _serve(example)
    try:
        second = subprocess.run([sys.executable, "-m", "vending", "--repo", str(example),
                                 "local", "serve", "--port", "0"], capture_output=True,
                                text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        assert second.returncode == 1
        assert "Serving" not in second.stderr
        assert f"already served by process {child.pid} on {url}" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        _stop(child)


def test_a_port_in_use_fails_before_it_says_serving(example, tmp_path):
    child, url = _serve(example)
    other = tmp_path / "other"
    shutil.copytree(example, other, ignore=shutil.ignore_patterns(".vend"))
    try:
        port = url.rsplit(":", 1)[1]
        second = subprocess.run([sys.executable, "-m", "vending", "--repo", str(other),
                                 "local", "serve", "--port", port], capture_output=True,
                                text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        assert second.returncode == 1
        assert "Serving" not in second.stderr and f"cannot serve on 127.0.0.1:{port}" in \
            second.stderr
    finally:
        _stop(child)


@pytest.mark.parametrize("damage", ["pickle-dir", "lock-dir", "no-emulators"])
def test_corrupt_state_is_one_message_and_reset_recovers(example, vend, damage):
    assert vend(example, "plan").code == 0
    local = example / ".vend" / "local"
    if damage == "pickle-dir":
        (local / "state.pickle").unlink()
        (local / "state.pickle").mkdir()
    elif damage == "lock-dir":
        (local / "state.lock").unlink()
        (local / "state.lock").mkdir()
    else:
        (local / "state.pickle").write_bytes(b"\x80\x05}\x94(\x8c\x06format\x94K\x01u.")
    failed = vend(example, "plan")
    assert failed.code == 1
    assert failed.err.startswith(f"Error: {local}/state.") and "vend local reset" in failed.err
    assert "Traceback" not in failed.err and len(failed.err.strip().splitlines()) == 1
    assert vend(example, "local", "reset").code == 0
    assert vend(example, "plan").code == 0
