"""Corrupt local state: always one LocalStateError naming the file and `vend local reset`, and
`vend local reset` (reset_state) always recovers."""
from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from vending.local import LocalAws, LocalStateError, reset_state


def _edit_payload(change: Callable[[dict], None]) -> Callable[[Path], Path]:
    def corrupt(local: Path) -> Path:
        path = local / "state.pickle"
        payload = pickle.loads(path.read_bytes())
        change(payload)
        path.write_bytes(pickle.dumps(payload))
        return path
    return corrupt


def _state_is_a_directory(local: Path) -> Path:
    (local / "state.pickle").unlink()
    (local / "state.pickle" / "junk").mkdir(parents=True)
    return local / "state.pickle"


def _lock_is_a_directory(local: Path) -> Path:
    (local / "state.lock").unlink(missing_ok=True)
    (local / "state.lock" / "junk").mkdir(parents=True)
    return local / "state.lock"


def _state_dir_is_a_file(local: Path) -> Path:
    for part in local.iterdir():
        part.unlink()
    local.rmdir()
    local.write_text("not a directory")
    return local


def _truncated(local: Path) -> Path:
    path = local / "state.pickle"
    path.write_bytes(path.read_bytes()[:100])
    return path


CASES = {
    "state.pickle is a directory": _state_is_a_directory,
    "state.lock is a directory": _lock_is_a_directory,
    "local/ is a file": _state_dir_is_a_file,
    "truncated": _truncated,
    "no emulators": _edit_payload(lambda p: p.pop("emulators")),
    "no random state": _edit_payload(lambda p: p.pop("random")),
    "no Organizations snapshot": _edit_payload(lambda p: p["emulators"].pop("organizations")),
    "no Service Catalog snapshot": _edit_payload(lambda p: p["emulators"].pop("servicecatalog")),
    "malformed Organizations snapshot": _edit_payload(
        lambda p: p["emulators"].update(organizations={"backends": 5})),
    "malformed Control Tower snapshot": _edit_payload(
        lambda p: p["emulators"].update(controltower=[])),
    "malformed S3 snapshot": _edit_payload(lambda p: p["emulators"].update(s3={"buckets": 5})),
}


@pytest.mark.parametrize("corrupt", CASES.values(), ids=CASES.keys())
def test_corrupt_state_is_one_clear_error_and_reset_recovers(tmp_path, corrupt):
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        org.create_organizational_unit(ParentId=org.list_roots()["Roots"][0]["Id"], Name="Old")
    damaged = corrupt(tmp_path / "local")
    with pytest.raises(LocalStateError) as raised:
        with LocalAws(tmp_path, lock_timeout=0.5):
            pass
    message = str(raised.value)
    assert message.startswith(f"{damaged}: ") and "run `vend local reset`" in message, message
    assert "\n" not in message

    reset_state(tmp_path)
    with LocalAws(tmp_path) as aws:  # a fresh landing zone
        org = aws.session().client("organizations")
        names = [o["Name"] for o in org.list_organizational_units_for_parent(
            ParentId=org.list_roots()["Roots"][0]["Id"])["OrganizationalUnits"]]
    assert names == ["Security"]


def test_a_state_corrupted_while_in_use_is_reported_on_the_next_request(tmp_path):
    """Another process may damage the file under a running one (e.g. a bad copy): its next
    request reloads it and fails with the same clear error, not a traceback from moto."""
    with LocalAws(tmp_path) as aws:
        org = aws.session().client("organizations")
        org.list_roots()
        (tmp_path / "local" / "state.pickle").write_bytes(b"\x80\x05garbage")
        with pytest.raises(LocalStateError, match=re.escape("run `vend local reset`")):
            org.list_roots()


def test_reset_removes_stale_temporary_files(tmp_path):
    with LocalAws(tmp_path):
        pass
    stale = tmp_path / "local" / ".state-abc.tmp"
    stale.write_bytes(b"half a write")
    assert reset_state(tmp_path) is True
    assert not stale.exists() and not (tmp_path / "local" / "state.pickle").exists()
