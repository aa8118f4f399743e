"""``reminder company import`` as an operator runs it: bad rows reported by line, good rows kept, the new
companies matched at once (in bulk) and reminders planned for those with a contact email; on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from reminder.cli import app
from reminder.companies import register_company
from reminder.config import get_settings
from reminder.db import save_document
from reminder.db.models import Company, Match, MatchCount, Reminder
from reminder.model import TZ, Condition, Deadline, Document, Notice, Scope

#: the notice's deadline lies ahead of the real clock (reminders are planned on the real clock)
TODAY = dt.datetime.now(TZ).date()
DEADLINE = TODAY + dt.timedelta(days=120)
CSV = (
    "企业名称,统一社会信用代码,所在地区,职工人数,联系邮箱\n"
    "杭州青禾科技有限公司,,杭州市萧山区,120,caiwu@qinghe.example.cn\n"  # line 2: eligible, an email
    "宁波远帆制造有限公司,,宁波市鄞州区,800,\n"  # line 3: too many staff: not a candidate
    "乙公司,91330109MA2B3C4D50,杭州,50,\n"  # line 4: wrong check character
    "\n"
    "丙公司,,火星,30,\n"  # line 6: unknown region
    "温州启明电子有限公司,,温州市鹿城区,40,\n"  # line 7: eligible, no email
    "杭州青禾科技有限公司,,湖州,10,\n"  # line 8: repeats line 2
    "北京燕园软件有限公司,,北京市海淀区,60,\n"  # line 9: outside 浙江省
    "湖州已登记有限公司,,湖州市吴兴区,20,\n"  # line 10: registered before the import
)


@pytest.fixture
def runner(db: Engine, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Runs commands against the test database (emptied after each test), on a wide terminal."""
    monkeypatch.setenv("DATABASE_URL", db.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()  # read DATABASE_URL again (the autouse fixture clears it afterwards)
    return CliRunner()


def _prepare(db: Engine) -> tuple[int, int]:
    """A 浙江省 call for companies of at most 500 staff, and one company registered earlier: their ids."""
    notice = Notice(
        title="关于组织申报浙江省中小企业专项资金的通知",
        level="provincial",
        published=TODAY - dt.timedelta(days=3),
        deadlines=(Deadline(DEADLINE, None, "application", "截止日期前提交"),),
        conditions=(Condition("headcount", "<=", 500, "人", "职工总数不超过500人"),),
        scope=Scope("浙江省", "浙江省", "330000"),
    )
    doc = Document(
        source="https://example.gov.cn/zj.html",
        text="正文" * 20,
        notices=(notice,),
        content_hash=secrets.token_hex(32),
    )
    now = dt.datetime.now(TZ)
    with Session(db) as session:
        (notice_id,) = save_document(session=session, doc=doc, now=now).notice_ids
        earlier = register_company(
            session=session, data={"name": "湖州已登记有限公司", "region": "湖州市"}, now=now
        )
        earlier_id = earlier.id
        session.commit()
    assert earlier_id is not None
    return notice_id, earlier_id


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_import_keeps_good_rows_reports_bad_ones_and_matches_the_new_companies(
    runner: CliRunner, db: Engine, tmp_path: Path
) -> None:
    notice_id, earlier = _prepare(db)
    path = tmp_path / "companies.csv"
    path.write_text(CSV, encoding="utf-8")

    result = runner.invoke(app, ["company", "import", str(path), "--now", TODAY.isoformat()])

    assert result.exit_code == 1, result.output  # some rows had problems
    out = _flat(result.stdout)
    assert "已导入 / imported: 4 家企业" in out and "rows with problems: 4" in out
    assert "│ 4 │ 统一社会信用代码：校验位错误" in out
    assert "│ 6 │ 所在地区：无法识别地区“火星”" in out
    assert "│ 8 │ 与第 2 行重复" in out
    assert f"│ 10 │ 企业名称：“湖州已登记有限公司”已被“湖州已登记有限公司”（编号 {earlier}）登记" in out
    with Session(db) as session:
        names = {c.name: c.id for c in session.exec(select(Company)).all()}
        assert set(names) == {
            "湖州已登记有限公司",
            "杭州青禾科技有限公司",
            "宁波远帆制造有限公司",
            "温州启明电子有限公司",
            "北京燕园软件有限公司",
        }
        matches = {m.company_id: m.status for m in session.exec(select(Match)).all()}
        assert matches == {
            names["杭州青禾科技有限公司"]: "eligible",
            names["温州启明电子有限公司"]: "eligible",
        }
        counts = {c.company_id: (c.eligible, c.total) for c in session.exec(select(MatchCount)).all()}
        assert counts == {names["杭州青禾科技有限公司"]: (1, 1), names["温州启明电子有限公司"]: (1, 1)}
        reminders = session.exec(select(Reminder).where(Reminder.notice_id == notice_id)).all()
        assert reminders and {r.company_id for r in reminders} == {names["杭州青禾科技有限公司"]}
        assert {r.status for r in reminders} == {"pending"}


def test_a_clean_file_exits_zero_and_the_company_page_agrees(
    runner: CliRunner, db: Engine, tmp_path: Path
) -> None:
    _prepare(db)
    path = tmp_path / "clean.csv"
    path.write_text("企业名称,所在地区,职工人数\n嘉兴南湖光电有限公司,嘉兴市南湖区,30\n", encoding="utf-8")

    result = runner.invoke(app, ["company", "import", str(path), "--now", TODAY.isoformat()])

    assert result.exit_code == 0, result.output
    assert "已导入 / imported: 1 家企业；有问题的行 / rows with problems: 0" in _flat(result.stdout)
    shown = runner.invoke(app, ["match", "嘉兴南湖光电有限公司", "--now", TODAY.isoformat()])
    assert shown.exit_code == 0, shown.output
    assert "浙江省中小企业专项资金" in _flat(shown.stdout) and "符合" in shown.stdout
