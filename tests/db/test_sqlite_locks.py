"""A second engine on an open SQLite database must not drop the first one's locks.

Closing any file descriptor on a file releases every POSIX lock the process holds on it, SQLite's
included; a ``make_engine`` that opened the existing file to set its mode let another process write
under a held lock, and the shared test database ended "disk I/O error" / "malformed".
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from reminder.db.engine import make_engine

_READER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
con.close()  # the last connection out checkpoints and deletes the -wal and -shm files
"""


def test_a_second_engine_keeps_the_first_engines_locks(tmp_path: Path) -> None:
    path = tmp_path / "reminder.db"
    first = make_engine(f"sqlite:///{path}")
    with first.connect() as conn:  # stays open, as the web app's pooled connections do
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        conn.commit()

        second = make_engine(f"sqlite:///{path}")  # e.g. a CLI command or a limiter store in-process
        second.dispose()

        other = subprocess.run([sys.executable, "-c", _READER, str(path)], capture_output=True, text=True)
        assert other.stdout.strip() == "1", other.stderr
        # another process saw us: it was not the last connection, so our write-ahead log is intact
        assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        conn.commit()
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    first.dispose()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_existing_open_file_is_still_tightened_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()
    path.chmod(0o644)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
    engine.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
