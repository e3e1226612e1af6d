"""Cost of the local AWS's mutating requests: N TagResource calls and N alternate-contact writes.

Every mutating request is written through to disk (state pickle) and, since issue 12, recorded
as a CloudTrail management event (an appended journal line). This times both kinds of call on a
small organization, to compare a build with and without the recording:

    python -m tests.bench.bench_recording [--calls 1000]
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from vending.local import LocalAws


def run(calls: int) -> dict[str, float]:
    scratch = Path(tempfile.mkdtemp(prefix="vend-bench-rec-"))
    try:
        with LocalAws(scratch / ".vend") as aws:
            org = aws.session().client("organizations")
            root = org.list_roots()["Roots"][0]["Id"]
            start = time.perf_counter()
            for i in range(calls):
                org.tag_resource(ResourceId=root, Tags=[{"Key": "k", "Value": str(i)}])
            tagging = time.perf_counter() - start
            account = aws.session().client("account")
            start = time.perf_counter()
            for i in range(calls):
                account.put_alternate_contact(AlternateContactType="BILLING", Name=f"n{i}",
                                              Title="t", EmailAddress="a@example.com",
                                              PhoneNumber="+1 555 0100")
            contacts = time.perf_counter() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"calls": calls, "tag_ms": tagging / calls * 1000, "contact_ms": contacts / calls * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    result = run(parser.parse_args().calls)
    print(f"{result['calls']} calls each: TagResource {result['tag_ms']:.2f} ms/call, "
          f"PutAlternateContact {result['contact_ms']:.2f} ms/call")


if __name__ == "__main__":
    main()
