"""``reminder company add|import|show|list`` and ``reminder match`` as a user runs them, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from reminder.cli import app
from reminder.db import Match, make_engine

SAMPLES = Path(__file__).resolve().parents[2] / "reminder" / "samples"
COMPILATION_2025 = SAMPLES / "notices" / "002_c74db4dc4724db3b.txt"
NOW = "2025-03-01T09:00"
XIAOSHAN = [
    "--name", "杭州萧然智能装备有限公司", "--credit-code", "91330109MA2B3C4D5Q", "--region", "杭州市萧山区",
    "--industry", "汽车零部件", "--tags", "智能制造;汽车零部件", "--founded-on", "2012-05-18",
    "--headcount", "320", "--revenue", "1.8亿元", "--assets", "1.5亿元", "--capital", "5000万元",
    "--rd-expense-ratio", "4.5", "--rd-staff-ratio", "18",
    "--qualification", "高新技术企业:2026-12-31", "--qualification", "科技型中小企业",
    "--legal-person", "--credit-ok", "--email", "zhang.wei@example.cn",
]  # fmt: skip


@pytest.fixture
def runner(db_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Runs commands against an upgraded test database, on a terminal wide enough for the tables."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def _flat(text: str) -> str:
    return " ".join(text.split())


def _row(text: str, fragment: str) -> tuple[str, str]:
    """The table line holding ``fragment`` and the line below it (a cell's second line)."""
    lines = text.splitlines()
    [at] = [i for i, line in enumerate(lines) if fragment in line]
    return _flat(lines[at]), _flat(lines[at + 1])


def _error(result) -> str:
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), "handled, not a traceback"
    assert result.stderr.startswith("Error:")
    return _flat(result.stderr)


def test_add_show_and_list(runner: CliRunner, db_url: str) -> None:
    added = runner.invoke(app, ["company", "add", *XIAOSHAN, "--now", NOW])
    assert added.exit_code == 0, added.output
    assert "已登记 / registered: 编号 1 杭州萧然智能装备有限公司" in _flat(added.stdout)

    for ref in ("1", "91330109MA2B3C4D5Q", "杭州萧然智能装备有限公司"):
        shown = runner.invoke(app, ["company", "show", ref])
        assert shown.exit_code == 0, shown.output
        out = _flat(shown.stdout)
        assert (
            "所在地区 │ 浙江省杭州市萧山区" in out
            and "年销售收入 │ 1.8亿元" in out
            and "职工人数 │ 320 人" in out
        )
        assert "高新技术企业（有效期至 2026-12-31）" in out and "独立法人资格 │ 是" in out
        assert "提醒渠道 联系邮箱 │ zhang.wei@example.cn" in out

    listed = _flat(runner.invoke(app, ["company", "list"]).stdout)
    assert "杭州萧然智能装备有限公司" in listed and "91330109MA2B3C4D5Q" in listed and "1.8亿元" in listed


def test_add_without_options_says_what_is_required(runner: CliRunner) -> None:
    message = _error(runner.invoke(app, ["company", "add", "--headcount", "-5"]))
    assert "企业名称：必填" in message and "所在地区：必填" in message and "不能为负数" in message
    assert "还没有登记企业" in runner.invoke(app, ["company", "list"]).stdout


def test_bad_check_character_is_named(runner: CliRunner) -> None:
    args = ["company", "add", "--name", "甲", "--region", "杭州", "--credit-code", "91330109MA2B3C4D50"]
    message = _error(runner.invoke(app, args))
    assert "统一社会信用代码：校验位错误：第18位应为“Q”" in message


def test_duplicate_credit_code_is_refused(runner: CliRunner) -> None:
    assert runner.invoke(app, ["company", "add", *XIAOSHAN]).exit_code == 0
    args = ["company", "add", "--name", "乙", "--region", "湖州", "--credit-code", "91330109MA2B3C4D5Q"]
    assert "已被“杭州萧然智能装备有限公司”（编号 1）登记" in _error(runner.invoke(app, args))


def test_import_reports_bad_rows_by_line_and_keeps_the_good(
    runner: CliRunner, tmp_path: Path, db_url: str
) -> None:
    csv_text = (
        "企业名称,统一社会信用代码,所在地区,职工人数,年销售收入,资质\n"
        "甲公司,,杭州市萧山区,120,8000万元,高新技术企业:2026-12-31\n"  # line 2: good
        "乙公司,91330109MA2B3C4D50,杭州,50,,\n"  # line 3: bad check character
        "\n"
        "丙公司,,火星,30,,\n"  # line 5: unknown region
        "丁公司,,湖州,十人,2亿元,\n"  # line 6: good (Chinese numeral)
        "甲公司,,宁波,1,,\n"  # line 7: repeats line 2
    )
    path = tmp_path / "companies.csv"
    path.write_text(csv_text, encoding="utf-8")
    result = runner.invoke(app, ["company", "import", str(path), "--now", NOW])
    assert result.exit_code == 1, result.output
    out = _flat(result.stdout)
    assert "已导入 / imported: 2 家企业" in out and "rows with problems: 3" in out
    assert "│ 3 │ 统一社会信用代码：校验位错误" in out
    assert "│ 5 │ 所在地区：无法识别地区“火星”" in out
    assert "│ 7 │ 与第 2 行重复" in out

    again = runner.invoke(app, ["company", "import", str(path), "--now", NOW])
    assert "已导入 / imported: 0 家企业" in _flat(again.stdout)
    assert "│ 2 │ 企业名称：“甲公司”已被“甲公司”（编号 1）登记" in _flat(again.stdout)
    listed = _flat(runner.invoke(app, ["company", "list"]).stdout)
    assert "甲公司" in listed and "丁公司" in listed and "乙公司" not in listed


def test_import_reads_excel_gbk_csv(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("企业名称,所在地区\n湖州某某有限公司,湖州市吴兴区\n".encode("gbk"))
    result = runner.invoke(app, ["company", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "湖州某某有限公司" in runner.invoke(app, ["company", "show", "湖州某某有限公司"]).stdout


def test_changes_are_matched_at_once_and_match_shows_the_table(runner: CliRunner, db_url: str) -> None:
    assert runner.invoke(app, ["ingest", str(COMPILATION_2025)]).exit_code == 0
    added = runner.invoke(app, ["company", "add", *XIAOSHAN, "--now", NOW])
    assert "正在申报的通知" in added.stdout
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            statuses = {m.status for m in session.exec(select(Match).where(Match.company_id == 1)).all()}
    finally:
        engine.dispose()
    assert "eligible" in statuses, "company_changed ran after add"

    result = runner.invoke(app, ["match", "杭州萧然智能装备有限公司", "--now", NOW])
    assert result.exit_code == 0, result.output
    assert "杭州萧然智能装备有限公司（编号 1）— 2025-03-01 09:00" in _flat(result.stdout)
    line, below = _row(result.stdout, "人工智能醫療器械")
    assert line.startswith("│ 符合 │") and "│ 2025-03-28 │ 27 天 │" in line and "申报截止" in below
    line, below = _row(result.stdout, "高新技術企業更名")
    assert "│ 2025-04-11 │ 41 天 │" in line and "申报截止 第一批" in below

    blank = runner.invoke(app, ["company", "add", "--name", "空白公司", "--region", "杭州市", "--now", NOW])
    assert blank.exit_code == 0, blank.output
    out = _flat(runner.invoke(app, ["match", "空白公司", "--now", NOW]).stdout)
    assert "可能符合" in out and "请补充：所属行业、独立法人资格" in out

    beijing = [
        "company",
        "add",
        "--name",
        "北京公司",
        "--region",
        "北京市海淀区",
        "--industry",
        "芯片",
        "--no-legal-person",
    ]
    assert runner.invoke(app, [*beijing, "--now", NOW]).exit_code == 0
    out = _flat(runner.invoke(app, ["match", "北京公司", "--now", NOW]).stdout)
    assert (
        "不符合" in out
        and "✗ 注册地 北京市海淀区 不在 浙江省杭州市 ✗" in out
        and "✗ 独立法人资格 否（需具备） ✗" in out
    )


def test_match_of_nothing_and_of_nobody(runner: CliRunner) -> None:
    assert runner.invoke(app, ["company", "add", "--name", "甲", "--region", "杭州"]).exit_code == 0
    assert "没有正在申报的通知 / no open notices" in runner.invoke(app, ["match", "甲"]).stdout
    assert "没有找到企业“乙”" in _error(runner.invoke(app, ["match", "乙"]))
    assert "无法识别时间" in _error(runner.invoke(app, ["match", "甲", "--now", "昨天"]))
