"""The one data-table loader: the same validation for every table, and operator overrides."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from registry_utils import packaged_table, tables_override, write_table

from reminder import tables
from reminder.errors import DataFileError
from reminder.extract import extract_text
from reminder.fields import field_label

PACKAGE = Path(tables.__file__).parent


def test_packaged_tables_are_read_when_nothing_overrides_them() -> None:
    assert tables.table_source("reminder.extract", "dates.yaml") == "reminder/extract/data/dates.yaml"
    assert tables.table_source("reminder", "fields.yaml") == "reminder/data/fields.yaml"
    data = tables.load_table("reminder", "fields.yaml", {"ops": dict, "conditions": dict, "profile": dict})
    assert "headcount" in data["conditions"]


def test_an_operator_copy_takes_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with tables_override(tmp_path, monkeypatch) as root:
        registry = packaged_table("reminder", "fields.yaml")
        registry["conditions"]["headcount"]["label"] = "从业人员数"
        path = write_table(root, "fields.yaml", registry)
        assert tables.table_source("reminder", "fields.yaml") == str(path)
        assert field_label("headcount") == "从业人员数"
    assert field_label("headcount") == "职工总数"


def test_an_extract_table_override_changes_extraction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "关于申报的通知\n一、申报条件\n1. 在岗人员总数不超过300人。\n"
    assert not any(n.conditions for n in extract_text(text).notices)
    from reminder.extract import conditions_data

    with tables_override(tmp_path, monkeypatch) as root:
        rules = packaged_table("reminder.extract", "conditions.yaml")
        rules["fields"][0]["words"].append("在岗人员总数")
        write_table(root, "extract/conditions.yaml", rules)
        conditions_data.vocab.cache_clear()
        try:
            found = [(c.field, c.op, c.value) for n in extract_text(text).notices for c in n.conditions]
        finally:
            conditions_data.vocab.cache_clear()
    assert found == [("headcount", "<=", 300)]


@pytest.mark.parametrize(
    ("text", "key", "zh"),
    [
        ("ops: {}\nconditions: {}\n", "(top level)", "缺少键 'profile'"),
        ("ops: {}\nconditions: {}\nprofile: {}\nextra: 1\n", "extra", "未知键 'extra'"),
        ("ops: []\nconditions: {}\nprofile: {}\n", "ops", "应为 dict"),
        ("- just a list\n", "(top level)", "顶层应为映射"),
    ],
)
def test_every_mistake_names_file_and_key_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str, zh: str
) -> None:
    with tables_override(tmp_path, monkeypatch) as root:
        path = root / "fields.yaml"
        path.write_text(text, encoding="utf-8")
        tables.clear_caches()
        with pytest.raises(DataFileError) as info:
            tables.load_table("reminder", "fields.yaml", {"ops": dict, "conditions": dict, "profile": dict})
    assert (info.value.file, info.value.key) == (str(path), key)
    assert zh in str(info.value) and str(path) in str(info.value) and " / " in str(info.value)


def test_invalid_yaml_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with tables_override(tmp_path, monkeypatch) as root:
        (root / "fields.yaml").write_text("ops: [unclosed\n", encoding="utf-8")
        tables.clear_caches()
        with pytest.raises(DataFileError, match="不是有效的 YAML") as info:
            tables.load_table("reminder", "fields.yaml", ["ops"])
    assert info.value.file == str(root / "fields.yaml")


def test_nested_checks_name_the_path_of_the_key() -> None:
    with pytest.raises(DataFileError, match=r"units\.yaml 的键 money\.亿：应为字符串列表"):
        tables.as_str_list("units.yaml", "money.亿", [1])
    with pytest.raises(DataFileError, match=r"x\.yaml 的键 a\.b\.c：未知键 'c'"):
        tables.check_keys("x.yaml", "a.b", {"c": 1}, ["d"])


def test_no_module_parses_yaml_itself() -> None:
    """Every table goes through reminder.tables: no other module calls yaml.load / yaml.safe_load."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "tables.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
            ):
                if node.attr in ("load", "safe_load", "full_load", "unsafe_load"):
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert offenders == []
