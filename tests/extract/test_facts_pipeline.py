"""Issue 13's facts through the whole pipeline and the command line: ``reminder extract --json`` gives
benefits, how-to-apply steps, contacts and attachments per notice, each quote verbatim in the document
text and each span inside it; the readable table shows them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from reminder.cli import app
from reminder.extract import extract_text

# invented notice (names, places, numbers made up)
NOTICE = """关于组织申报2025年度临江市企业研发中心的通知
各有关企业：
现将2025年度临江市企业研发中心申报工作通知如下。
一、申报条件
申报企业上年度营业收入不低于800万元，研发投入占比不低于3%。
二、支持标准
对新认定的企业研发中心，按研发投入的10%给予补助，最高不超过200万元。
对国家级、省级、市级研发中心，分别给予100万元、50万元、20万元一次性奖励。
三、申报方式
申报单位登录“临江市科技项目管理系统”（http://kjxm.linjiang.example.gov.cn）在线填报，经所在区县科技局推荐后报送。
申报材料包括：（一）申报书；（二）信用承诺书；（三）上年度财务审计报告。纸质材料一式三份。
请于2025年5月30日前提交。
四、联系方式
联系人：周明远，联系电话：(0571)8623 1457，邮箱：zhoumy@kjj.example.gov.cn
附件：1.申报指南.docx
2.信用承诺书
临江市科学技术局
2025年4月1日
"""


def test_facts_are_extracted_per_notice_with_verbatim_quotes() -> None:
    doc = extract_text(NOTICE)
    (notice,) = doc.notices
    assert [(b.kind, b.amount, b.rate, b.tier) for b in notice.benefits] == [
        ("subsidy", 200, 10, None),
        ("award", 100, None, "国家级"),
        ("award", 50, None, "省级"),
        ("award", 20, None, "市级"),
    ]
    kinds = [s.kind for s in notice.how_to_apply]
    assert kinds == ["online", "recommend", "materials"]
    online = notice.how_to_apply[0]
    assert (online.name, online.url) == ("临江市科技项目管理系统", "http://kjxm.linjiang.example.gov.cn")
    assert notice.how_to_apply[2].items == ("申报书", "信用承诺书", "上年度财务审计报告")
    assert notice.how_to_apply[2].copies == 3
    (contact,) = notice.contacts
    assert contact.label() == "周明远 0571-86231457 zhoumy@kjj.example.gov.cn"
    assert [(a.label, a.name, a.url) for a in notice.attachments] == [
        ("附件1", "申报指南", None),
        ("附件2", "信用承诺书", None),
    ]
    facts = [*notice.benefits, *notice.how_to_apply, *notice.contacts, *notice.attachments]
    for fact in facts:
        start, end = fact.span
        assert notice.span[0] <= start < end <= notice.span[1]
        assert fact.quote in doc.text and doc.text[start:end].strip() in fact.quote


def test_conditions_are_never_benefits() -> None:
    (notice,) = extract_text(NOTICE).notices
    assert all(b.amount != 800 for b in notice.benefits)
    assert {c.value for c in notice.conditions if c.field == "annual_revenue"} == {800}


def test_cli_json_and_table_show_the_facts(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", "--json", str(path)])
    assert result.exit_code == 0, result.output
    (notice,) = json.loads(result.stdout)["notices"]
    assert notice["benefits"][0]["label"] == "补助 研发投入的 10%（最高 200 万元）"
    assert notice["how_to_apply"][0]["url"] == "http://kjxm.linjiang.example.gov.cn"
    assert notice["contacts"][0]["phones"] == ["0571-86231457"]
    assert [a["name"] for a in notice["attachments"]] == ["申报指南", "信用承诺书"]
    table = CliRunner().invoke(app, ["extract", str(path)])
    assert table.exit_code == 0, table.output
    # one row per fact (cells wrap at the console's width: look for short pieces)
    for shown in (
        "优惠",
        "国家级奖励",
        "申报方式",
        "网上申报",
        "联系人",
        "周明远",
        "0571-86231457",
        "附件",
        "申报指南",
    ):
        assert shown in table.stdout, shown
