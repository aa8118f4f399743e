"""The whole pipeline: the same notice out of every format, arbitrary text never crashes it, and
oversized input is refused with a clear error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_loaders import NOTICE, make_docx, make_html, make_pdf

from reminder.errors import InputTooLarge
from reminder.extract import Document, extract, extract_text


def _summary(doc: Document) -> list[tuple[str, list[tuple[dt.date | None, str]]]]:
    return [
        (n.title.replace(" ", ""), sorted({(d.date, d.kind) for d in n.deadlines}, key=str))
        for n in doc.notices
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Document:
    path = tmp_path_factory.mktemp("txt") / "notice.txt"
    path.write_text("\n".join(NOTICE), encoding="utf-8")
    return extract(path)


def test_reference_notice_has_its_deadline(reference: Document) -> None:
    (notice,) = reference.notices
    assert "科技型中小企业" in notice.title
    assert {d.date for d in notice.deadlines} == {dt.date(2023, 9, 15)}
    assert {c.field for c in notice.conditions} >= {"headcount", "annual_revenue", "total_assets"}


@pytest.mark.parametrize(
    ("suffix", "render"),
    [
        ("pdf", lambda lines: make_pdf(lines)),
        ("docx", lambda lines: make_docx(lines, table=[])),
        ("html", lambda lines: make_html(lines).encode("utf-8")),
        ("gb18030.txt", lambda lines: "\n".join(lines).encode("gb18030")),
    ],
)
def test_every_format_gives_the_same_notice(
    reference: Document, tmp_path: Path, suffix: str, render: object
) -> None:
    path = tmp_path / f"notice.{suffix}"
    path.write_bytes(render(NOTICE))  # type: ignore[operator]
    doc = extract(path)
    got = [n for n in _summary(doc) if n[1]]
    assert got == [n for n in _summary(reference) if n[1]]
    want_fields = {c.field for n in reference.notices for c in n.conditions}
    assert {c.field for n in doc.notices for c in n.conditions} >= want_fields


_CHARS = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Z", "Cc", "Cf"),
)
_PIECES = st.sampled_from(
    [
        "2025年3月10日16:00前",
        "截止",
        "13月40日",
        "申报时间",
        "\n",
        "1.关于申报的通知\n",
        "不超过500人",
        "—2—",
        "至",
        "民国114年",
        "二〇二五年三月十日",
        "【申报时间9月15日截止】",
        "提前10个工作日",
        "\u3000",
        "\ufeff",
        "\r\n",
        "。",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(_CHARS, max_size=40), _PIECES), max_size=40))
def test_arbitrary_text_never_raises(parts: list[str]) -> None:
    text = "".join(parts)
    doc = extract_text(text)
    for notice in doc.notices:
        for d in notice.deadlines:
            assert d.quote is not None
            assert d.date is None or dt.date(1900, 1, 1) < d.date < dt.date(2200, 1, 1)


def test_very_long_line_is_extracted() -> None:
    line = "请于2025年3月10日前提交申报材料,企业职工总数不超过500人," * 3_000
    doc = extract_text("关于申报的通知\n" + line)
    assert any(d.date == dt.date(2025, 3, 10) for n in doc.notices for d in n.deadlines)


def test_oversized_text_is_refused_with_a_clear_error() -> None:
    with pytest.raises(InputTooLarge, match="REMINDER_MAX_INPUT_BYTES"):
        extract_text("申报" * 1000, max_chars=1000)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes("申报通知".encode() * 100_000)
    with pytest.raises(InputTooLarge):
        extract(path, max_bytes=10_000)
