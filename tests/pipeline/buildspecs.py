"""Run a buildspec's phase as CodeBuild would: its commands in one shell (`env.shell`), stopping
at the first that fails, with the variables CodeBuild sets; `vend` is this checkout's CLI and
`aws` a stand-in that records its arguments and copies `aws s3 cp` uploads into a folder."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.pipeline.template import PIPELINE

BUILDSPECS = PIPELINE / "buildspecs"
INSTALL = ['pip install --quiet "$VEND_PACKAGE"']
"""Every buildspec's install phase; the tests run this checkout's vend instead."""


@dataclass
class Build:
    code: int
    output: str
    exported: dict[str, str]


def spec(name: str) -> dict:
    return yaml.safe_load((BUILDSPECS / name).read_text())


def shims(folder: Path) -> Path:
    """A bin folder with `vend` and `aws` for the builds; uploads land in folder/s3/BUCKET/KEY."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "vend").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m vending "$@"\n')
    (bin_dir / "aws").write_text(
        '#!/bin/sh\necho "$@" >> "$AWS_LOG"\n'
        'if [ "$1 $2" = "s3 cp" ]; then key="$FAKE_S3/${4#s3://}"; mkdir -p "$(dirname "$key")"; cp "$3" "$key"; fi\n')
    for shim in bin_dir.iterdir():
        shim.chmod(0o755)
    return bin_dir


def run(name: str, cwd: Path, bin_dir: Path, variables: dict[str, str]) -> Build:
    """The build phase of buildspec `name` in `cwd`; its exported variables read back."""
    data = spec(name)
    exported = data["env"].get("exported-variables", [])
    out = cwd.parent / f"{name}.exported"
    script = "\n".join(["set -e", *data["phases"]["build"]["commands"],
                        *(f'printf "%s=%s\\n" {v} "${v}" >> "{out}"' for v in exported)])
    env = {**os.environ, **variables, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "AWS_LOG": str(bin_dir.parent / "aws.log"), "FAKE_S3": str(bin_dir.parent / "s3"),
           "PYTHONPATH": str(PIPELINE.parent)}
    out.unlink(missing_ok=True)
    done = subprocess.run([data["env"]["shell"], "-c", script], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    values = dict(line.split("=", 1) for line in out.read_text().splitlines()) if out.exists() else {}
    return Build(done.returncode, done.stdout + done.stderr, values)
