"""Extraction throughput on the bundled seed documents.

Prints characters per second (one core, the whole pipeline: cleaning, segmentation, dates, deadlines,
conditions, scope) over the seeds repeated to at least 5 MB, and the peak memory of the process. Each
figure is given per wall-clock second and per CPU second of this process: on a shared machine the CPU
figure is the one to compare against the 1 M chars/s target (`taskset -c 1` pins it to one core).

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
    return [
        p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".txt")
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0, help="characters to process, in millions (default 5)")
    args = ap.parse_args()
    seeds = _seeds()
    for text in seeds:  # warm-up: every rule table and the OpenCC dictionaries load outside the timing
        extract_text(text)
    target = int(args.mb * 1_000_000)
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
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(
        f"documents: {docs} ({chars:,} chars) in {took:.2f} s → {chars / took:,.0f} chars/s"
        f" ({chars / cpu:,.0f} chars per CPU second)\n"
        f"one {len(one_doc):,}-char document: {big:.2f} s → {len(one_doc) / big:,.0f} chars/s"
        f" ({len(one_doc) / big_cpu:,.0f} chars per CPU second)\n"
        f"peak memory (max RSS): {peak_mb:.0f} MB\n"
    )


if __name__ == "__main__":
    main()
