"""Results derived from content alone, kept between runs (start-up, issue 12 point 6).

cfn-lint's findings on a rendered template and the schemas compiled to Python take seconds to
recompute and depend only on their inputs, so each is stored under a digest of everything it
is derived from: the input's text, the versions of the tools that derive it, and the format of
the entry. A changed input or tool is another key; an entry is written once, never updated.

The CLI chooses the folder, outside the repository (~/.cache/vend): a stored entry is trusted
(a compiled schema is code), so nothing a pull request commits may stand in for one. Failing to
read or write an entry is a miss: the result is computed as without a cache.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DerivedCache:
    """Entries under `root`/<space>/<digest of the key>; `root` None remembers nothing."""

    root: Path | None = None

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def get(self, space: str, key: tuple[str, ...]) -> bytes | None:
        path = self._path(space, key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, space: str, key: tuple[str, ...], data: bytes) -> None:
        """Store an entry (atomically: a reader sees all of it or none); best effort."""
        path = self._path(space, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass

    def _path(self, space: str, key: tuple[str, ...]) -> Path | None:
        if self.root is None:
            return None
        digest = hashlib.sha256()
        for part in key:  # length-prefixed, so ("ab", "c") and ("a", "bc") differ
            encoded = part.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
        return self.root / space / digest.hexdigest()


NO_CACHE = DerivedCache()
