"""The local AWS's state on disk: `<state_dir>/local/state.pickle`, shared by every process.

Why per request: `vend local serve` and other `vend` commands (or two applies) must work on one
organization at the same time, as they would against AWS, and a process killed at any point
(SIGKILL, SIGTERM from CI or `timeout`) must leave behind everything its answered requests did.
So a process does not own the state for its lifetime; each request takes the exclusive lock
on `state.lock`, reloads the state if another process wrote it since (`identity` changed),
does its work, writes the state if the request changed it, and releases the lock. Writes are
atomic and durable: a temporary file in the same directory, fsync, `os.replace`, fsync of the
directory. Reads that change nothing never write.

Corrupt state (a directory where a file belongs, a foreign pickle) is always one
`LocalStateError` that names the file and `vend local reset`, which removes whatever is there.
`serve.lock` marks a running `vend local serve` (its pid and URL), so a second one refuses.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from vending.local.errors import LocalStateError

STATE_FILE = "state.pickle"
EVENTS_FILE = "events.jsonl"
"""The CloudTrail event journal, beside the state (`vending.local.cloudtrail.journal`)."""
LOCK_FILE = "state.lock"
SERVE_LOCK_FILE = "serve.lock"
TEMP_PREFIX = ".state-"
RESET_HINT = "run `vend local reset` to start a fresh organization"

Identity = tuple[int, int, int] | None
"""(inode, mtime ns, size) of the state file; None when there is none. Every write makes a new
file (rename), so another process's write always changes it."""


class StateStore:
    """The state file and its lock (see the module docstring)."""

    def __init__(self, state_dir: Path, lock_timeout: float):
        self.dir = Path(state_dir) / "local"
        self.path = self.dir / STATE_FILE
        self.lock_path = self.dir / LOCK_FILE
        self.lock_timeout = lock_timeout
        self._fd: int | None = None
        self._depth = 0

    # ------------------------------------------------------------ the lock

    def lock(self) -> None:
        """Take the exclusive lock (re-entrant); waits up to `lock_timeout` seconds.

        The lock file stays open between requests (cheap: a request is a few syscalls), and
        is reopened if the file was replaced meanwhile (someone deleted the directory)."""
        if self._depth:
            self._depth += 1
            return
        deadline = time.monotonic() + self.lock_timeout
        while True:
            if self._fd is None:
                self._fd = open_lock(self.lock_path)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise LocalStateError(
                        f"{self.dir}: local state is held by process {holder} for more than "
                        f"{self.lock_timeout:g} s (one request should take milliseconds); stop "
                        "that process or try again") from None
                time.sleep(0.01)
                continue
            if self._same_file():
                break
            self._close()  # locked a file that is no longer the lock: start over
        os.pwrite(self._fd, f"{os.getpid():>12}\n".encode(), 0)
        self._depth = 1

    def unlock(self) -> None:
        if self._depth > 1:
            self._depth -= 1
            return
        self._depth = 0
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Let go of the lock file (when the local AWS stops)."""
        if self._depth == 0:
            self._close()

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _same_file(self) -> bool:
        assert self._fd is not None
        try:
            return os.stat(self.lock_path).st_ino == os.fstat(self._fd).st_ino
        except OSError:
            return False

    # ------------------------------------------------------------ the state file

    def identity(self) -> Identity:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise corrupt(self.path, exc) from None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def read(self) -> tuple[bytes | None, Identity]:
        """The state and its identity (under the lock)."""
        try:
            with open(self.path, "rb") as handle:
                st = os.fstat(handle.fileno())
                return handle.read(), (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise corrupt(self.path, exc) from None

    def write(self, blob: bytes) -> Identity:
        """Replace the state atomically and durably (under the lock); returns its identity."""
        try:
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=TEMP_PREFIX, suffix=".tmp")
        except OSError as exc:
            raise LocalStateError(f"{self.dir}: cannot write the local state: {exc}") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
                handle.flush()
                os.fsync(handle.fileno())
                st = os.fstat(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise corrupt(self.path, exc) from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.dir)
        return st.st_ino, st.st_mtime_ns, st.st_size

    def remove_stale_temporaries(self) -> None:
        """Temporary files of writers that died (under the lock no one else is writing)."""
        for stale in self.dir.glob(f"{TEMP_PREFIX}*.tmp"):
            stale.unlink(missing_ok=True)


def open_lock(path: Path) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise corrupt(path, exc) from None


def corrupt(path: Path, exc: OSError) -> LocalStateError:
    if path.parent.exists() and not path.parent.is_dir():
        path, what = path.parent, "is a file, not a directory"
    elif exc.errno == errno.EISDIR or path.is_dir():
        what = "is a directory, not a file"
    else:
        what = f"cannot be used ({exc.strerror or exc})"
    return LocalStateError(f"{path}: {what}; {RESET_HINT}")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def reset(state_dir: Path, lock_timeout: float) -> bool:
    """Remove the local state, whatever is there (`vend local reset`); True if there was one.

    A lock that is not a file cannot be taken, so it is removed without locking (no process
    can hold it either); a running server keeps serving and starts a fresh organization with
    its next request, as any other process would.
    """
    store = StateStore(state_dir, lock_timeout)
    if store.dir.is_symlink() or (store.dir.exists() and not store.dir.is_dir()):
        store.dir.unlink()  # a file where the state directory belongs
    if store.lock_path.is_dir() and not store.lock_path.is_symlink():
        shutil.rmtree(store.lock_path)
    store.lock()
    try:
        existed = store.path.exists() or store.path.is_symlink()
        if store.path.is_dir() and not store.path.is_symlink():
            shutil.rmtree(store.path)
        else:
            store.path.unlink(missing_ok=True)
        store.remove_stale_temporaries()
        (store.dir / EVENTS_FILE).unlink(missing_ok=True)
        if existed:
            _fsync_dir(store.dir)
        return existed
    finally:
        store.unlock()
        store.close()


class ServeLock:
    """`serve.lock`: held by the one `vend local serve` of a state directory, with its pid and
    URL, so a second one fails at once and says where the first one is."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / "local" / SERVE_LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = open_lock(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise LocalStateError(
                f"{self.path.parent}: the local organization is already served by process "
                f"{holder.get('pid', '?')} on {holder.get('url', '?')}; use that endpoint, or "
                "stop that server first") from None
        self._fd = fd
        self.publish("")

    def publish(self, url: str) -> None:
        assert self._fd is not None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps({"pid": os.getpid(), "url": url}).encode(), 0)

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _holder(fd: int) -> dict[str, object]:
    try:
        found = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        return found if isinstance(found, dict) else {}
    except ValueError:
        return {}
