"""Extraction throughput on the bundled seed documents.

Prints characters per second (one core, the whole pipeline: cleaning, segmentation, dates, deadlines,
conditions) over the seeds repeated to at least 5 MB, and the peak memory of the process.

    .venv/bin/python benchmarks/bench_extract.py [--mb 5]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from importlib import resources

from reminder.extract import extract_text


def _seeds() -> list[str]:
    folder = resources.files("reminder") / "samples" / "notices"
    return [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir(), key=lambda p: p.name) if p.name.endswith(".txt")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0, help="characters to process, in millions (default 5)")
    args = ap.parse_args()
    seeds = _seeds()
    extract_text(seeds[0])  # warm-up: rule tables, OpenCC dictionaries
    target = int(args.mb * 1_000_000)
    chars = docs = 0
    started = time.perf_counter()
    while chars < target:
        for text in seeds:
            extract_text(text)
            chars += len(text)
            docs += 1
    took = time.perf_counter() - started
    one_doc = "".join(seeds) * max(1, int(2_000_000 / sum(len(s) for s in seeds)))
    t0 = time.perf_counter()
    extract_text(one_doc, max_chars=len(one_doc))
    big = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(
        f"documents: {docs} ({chars:,} chars) in {took:.2f} s → {chars / took:,.0f} chars/s\n"
        f"one {len(one_doc):,}-char document: {big:.2f} s → {len(one_doc) / big:,.0f} chars/s\n"
        f"peak memory (max RSS): {peak_mb:.0f} MB\n"
    )


if __name__ == "__main__":
    main()
