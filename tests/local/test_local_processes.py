"""`vend plan`, `vend apply`, `vend plan` as separate Python processes on one state dir."""
from __future__ import annotations

import json
import subprocess
import sys

STEP = """
import json, sys
from pathlib import Path
from vending.local import LocalAws

state_dir, step = Path(sys.argv[1]), sys.argv[2]
with LocalAws(state_dir, create_account_polls=3) as aws:
    org = aws.session().client("organizations")
    out = {}
    if step == "apply":
        request = org.create_account(AccountName="Dev", Email="dev@example.com")
        out["request"] = request["CreateAccountStatus"]["Id"]
        # the process ends here, while the creation is still IN_PROGRESS
    else:
        pending = org.list_create_account_status(States=["IN_PROGRESS"])
        out["pending"] = [s["Id"] for s in pending["CreateAccountStatuses"]]
        out["accounts"] = sorted(a["Name"] for a in org.list_accounts()["Accounts"])
print(json.dumps(out))
"""


def _run(state_dir, step):
    done = subprocess.run([sys.executable, "-c", STEP, str(state_dir), step],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_plan_apply_plan_in_separate_processes(tmp_path):
    """The creation outlives the apply process (API_CreateAccount is asynchronous)."""
    first = _run(tmp_path, "plan")
    assert first == {"pending": [], "accounts": ["Audit", "Log Archive", "Management"]}
    request = _run(tmp_path, "apply")["request"]
    second = _run(tmp_path, "plan")  # reads 1 and 2 of 3: still in progress, not an account
    assert second == {"pending": [request], "accounts": ["Audit", "Log Archive", "Management"]}
    third = _run(tmp_path, "plan")  # read 3 of 3: the account exists
    assert third == {"pending": [], "accounts": ["Audit", "Dev", "Log Archive", "Management"]}
