"""Extraction throughput on the bundled seed documents.

Prints characters per second (one core, the whole pipeline: cleaning, segmentation, dates, deadlines,
conditions, scope) over the seeds repeated to at least 5 MB, and the peak memory of the process. Each
figure is given per wall-clock second and per CPU second of this process: on a shared machine the CPU
figure is the one to compare against the 1 M chars/s target (`taskset -c 1` pins it to one core).

With ``--baseline REV`` it measures an earlier commit's extractor on the same documents and the same
machine, alternating runs of it and of this tree, and prints the ratio: absolute figures move by a
third between two VMs of the same size (and within an hour on one), the ratio does not.

    .venv/bin/python benchmarks/bench_extract.py [--mb 5]
    .venv/bin/python benchmarks/bench_extract.py --baseline 3e4eee1 [--runs 5]   # the commit issue 15 measured
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the documents measured, read from this checkout whichever tree's extractor runs
SEEDS = ROOT / "reminder" / "samples" / "notices"


def _seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def measure(mb: float) -> dict[str, float]:
    """The figures of the extractor importable as ``reminder`` (this tree, or PYTHONPATH's)."""
    from reminder.extract import extract_text

    seeds = _seeds()
    for text in seeds:  # warm-up: every rule table and the OpenCC dictionaries load outside the timing
        extract_text(text)
    target = int(mb * 1_000_000)
    chars = docs = 0
    started, cpu0 = time.perf_counter(), time.process_time()
    while chars < target:
        for text in seeds:
            extract_text(text)
            chars += len(text)
            docs += 1
    took, cpu = time.perf_counter() - started, time.process_time() - cpu0
    one_doc = "".join(seeds) * max(1, int(2_000_000 / sum(len(s) for s in seeds)))
    t0, c0 = time.perf_counter(), time.process_time()
    extract_text(one_doc, max_chars=len(one_doc))
    big, big_cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "docs": docs,
        "chars": chars,
        "wall": took,
        "cpu": cpu,
        "big_chars": len(one_doc),
        "big_wall": big,
        "big_cpu": big_cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(f: dict[str, float]) -> str:
    return (
        f"documents: {f['docs']:.0f} ({f['chars']:,.0f} chars) in {f['wall']:.2f} s →"
        f" {f['chars'] / f['wall']:,.0f} chars/s ({f['chars'] / f['cpu']:,.0f} chars per CPU second)\n"
        f"one {f['big_chars']:,.0f}-char document: {f['big_wall']:.2f} s → {f['big_chars'] / f['big_wall']:,.0f}"
        f" chars/s ({f['big_chars'] / f['big_cpu']:,.0f} chars per CPU second)\n"
        f"peak memory (max RSS): {f['peak_mb']:.0f} MB\n"
        f"interpreter: {_interpreter()}\n"
    )


def _interpreter() -> str:
    """The Python measured: the figures move with its build as much as with the code."""
    try:  # (sysconfig's Py_ENABLE_SHARED says what was built, not what this binary loaded)
        shared = "libpython" in Path("/proc/self/maps").read_text()
    except OSError:
        return f"Python {platform.python_version()} ({sys.executable})"
    how = "libpython as a shared library" if shared else "libpython linked in"
    return f"Python {platform.python_version()} ({sys.executable}, {how})"


def _checkout(rev: str, into: Path) -> None:
    """The files of commit ``rev`` of this repository, written under ``into``."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or str(exc).encode()
        raise SystemExit(
            f"cannot read commit {rev!r} of {ROOT}: {detail.decode(errors='replace').strip()}"
        ) from None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # (extraction filters came with Python 3.11.4; the archive is this repository's own commit)
        tar.extractall(into, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))


def _run(tree: Path, mb: float) -> dict[str, float]:
    """One measuring run in a fresh process whose ``reminder`` package is the one in ``tree``."""
    env = os.environ | {"PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, __file__, "--mb", str(mb), "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the run with {tree} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def compare(rev: str, runs: int, mb: float) -> str:
    """``rev``'s extractor and this tree's, alternating: their median chars per CPU second and the ratio."""
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        old = Path(tmp)
        _checkout(rev, old)
        figures: dict[str, list[float]] = {"baseline": [], "this tree": []}
        for _ in range(runs):
            for name, tree in (("baseline", old), ("this tree", ROOT)):
                f = _run(tree, mb)
                figures[name].append(f["chars"] / f["cpu"])
    base, now = (statistics.median(figures[k]) for k in ("baseline", "this tree"))
    lines = [
        f"{name}: median {statistics.median(v) / 1e6:.2f} M chars per CPU second"
        f" (runs: {', '.join(f'{x / 1e6:.2f}' for x in v)})"
        for name, v in (("baseline " + rev, figures["baseline"]), ("this tree", figures["this tree"]))
    ]
    lines.append(f"ratio: {now / base:.2f}× the baseline's chars per CPU second")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0, help="characters to process, in millions (default 5)")
    ap.add_argument(
        "--baseline", metavar="REV", help="also measure this commit's extractor and print the ratio"
    )
    ap.add_argument(
        "--runs", type=int, default=5, help="alternating runs of each with --baseline (default 5)"
    )
    ap.add_argument(
        "--json", action="store_true", help=argparse.SUPPRESS
    )  # one run's figures, for --baseline
    args = ap.parse_args()
    if args.baseline:
        sys.stdout.write(compare(args.baseline, max(1, args.runs), args.mb))
    elif args.json:
        sys.stdout.write(json.dumps(measure(args.mb)) + "\n")
    else:
        sys.stdout.write(report(measure(args.mb)))


if __name__ == "__main__":
    main()
