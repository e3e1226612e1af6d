"""The smallest repository a reader test starts from: one OU, one account, no distribution."""
from __future__ import annotations

from pathlib import Path

SMALL_REPO = {
    "vend.yaml": ("version: 1\nhome_region: us-east-1\ngoverned_regions: [us-east-1]\n"
                  "account_factory: organizations\ntarget: {kind: local}\nrequired_tags: [owner]\n"
                  "quarantine_ou: Security\n"),
    "ous/Security/ou.yaml": "",
    "accounts/log-archive.yaml": "name: Log Archive\nemail: log-archive@example.com\nou: Security\nowner: sec\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    """`files` (path -> text) written below `root`; returns `root`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root
