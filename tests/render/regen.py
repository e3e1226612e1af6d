"""Rewrite the renderer golden files: `python -m tests.render.regen`, then review `git diff`.

Regenerating is a deliberate act (read the diff before committing), so the tests themselves never
write golden files.
"""
from __future__ import annotations

from pathlib import Path

from .golden import GOLDEN_DIR, outputs


def main() -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(outputs().items()):
        path = GOLDEN_DIR / name
        old = path.read_bytes() if path.exists() else None
        new = text.encode("utf-8")
        if old != new:
            path.write_bytes(new)
            print(f"updated {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
