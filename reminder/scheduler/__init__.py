"""The background scheduler and its jobs: when things run, beside each other.

    start_scheduler / Worker ── worker.py  (APScheduler; the SQLite dispatcher lease)
    tick / digests / sweep ──── jobs.py    (reminder dispatch, daily digests, the hourly sweep,
                                            fold_counts: queued verdicts into the dashboard's counts)
    once_per_period ─────────── periodic.py (digests and sweep run by one process per period: job_runs)
    TestSendLane ────────────── lane.py    (test messages sent as soon as the web app queues them)

A new periodic job (e.g. polling a watched source) is a plain function in jobs.py (or a module beside
it) added in ``worker._add_jobs``; jobs that change data call ``reminder.workflow``.
"""

from reminder.scheduler.lane import TestSendLane
from reminder.scheduler.worker import JOB_IDS, SWEEP_INTERVAL, Worker, default_worker_name, start_scheduler

__all__ = ["JOB_IDS", "SWEEP_INTERVAL", "TestSendLane", "Worker", "default_worker_name", "start_scheduler"]
