"""The event journal: `<state_dir>/local/events.jsonl`, one CloudTrail event per line.

Why not in the state pickle: the whole state is pickled on every mutating request, so a history
kept there would make each request cost more than the last (thousands of events in a benchmark
run). The journal is appended to instead - one short write per mutating request, under the
request's state lock, before the state itself is written (a process killed in between leaves an
event for a change that may not have been kept, never a change without its event). The line is
not fsynced: that alone cost 9 ms a request (more than the rest of the recording), and a killed
process loses nothing written; only a power loss could drop the last lines while the state,
fsynced just after, survives. It is emptied
with the organization (`bootstrap`, `vend local reset`), and read by any process: appended
lines are parsed once and cached, keyed by the file's inode.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from vending.local.errors import LocalStateError
from vending.local.state_store import RESET_HINT


class Journal:
    """Append-only JSON lines; `events()` is every complete line, oldest first."""

    def __init__(self, path: Path):
        self.path = path
        self._inode: int | None = None
        self._offset = 0
        self._events: list[dict[str, Any]] = []

    def append(self, event: dict[str, Any]) -> None:
        line = json.dumps(event, separators=(",", ":")).encode() + b"\n"
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LocalStateError(f"{self.path}: cannot record the event ({exc.strerror}); "
                                  f"{RESET_HINT}") from None
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a writer died mid-line: that torn line stays unparsed
            os.write(fd, line)  # no fsync: see the module docstring
        finally:
            os.close(fd)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self._inode, self._offset, self._events = None, 0, []

    def events(self) -> list[dict[str, Any]]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._inode, self._offset, self._events = None, 0, []
            return self._events
        if st.st_ino != self._inode or st.st_size < self._offset:
            self._inode, self._offset, self._events = st.st_ino, 0, []
        if st.st_size > self._offset:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                tail = handle.read()
            complete = tail.rfind(b"\n") + 1
            for line in tail[:complete].splitlines():
                try:
                    self._events.append(json.loads(line))
                except ValueError:
                    continue  # a torn line of a writer that died
            self._offset += complete
        return self._events
