"""The field registry (reminder/data/fields.yaml): one declaration read by extraction, engine and SQL.

The acceptance test adds a throwaway field to a copy of the registry (an operator override in a
temporary ``REMINDER_TABLES_DIR``) and follows it through extraction output validation, the rules
engine and the SQL pre-filter, with no other code change. The web side (admin correction choices,
API schema) is in tests/web/test_registries.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from registry_utils import packaged_table, tables_override, write_table

import reminder.model
from reminder import fields
from reminder.db.models import Company
from reminder.errors import DataFileError
from reminder.extract import conditions_data, extract_text
from reminder.fields import FieldError, check_condition, condition_fields, field_def, op_label
from reminder.model import CONDITION_OPS, Condition
from reminder.rules import Profile, compile_prefilter, evaluate, parse_profile
from reminder.rules._vocab import condition_spec, profile_label

#: the throwaway field: 社保缴纳人数, compared with the profile's headcount column
THROWAWAY = {
    "label": "社保缴纳人数",
    "type": "number",
    "profile": "headcount",
    "unit": "人",
    "ops": ["<=", ">="],
}
ON = dt.date(2025, 6, 30)


def _condition(field: str, op: str = ">=", value: Any = 50) -> Condition:
    return Condition(field=field, op=op, value=value, unit="人", quote="社保缴纳人数不少于50人")  # type: ignore[arg-type]


@pytest.fixture
def throwaway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the registry with ``insured_staff`` added, and an extraction rule that produces it."""
    with tables_override(tmp_path, monkeypatch) as root:
        registry = packaged_table("reminder", "fields.yaml")
        registry["conditions"]["insured_staff"] = THROWAWAY
        write_table(root, "fields.yaml", registry)
        yield root
    conditions_data.vocab.cache_clear()


def test_the_registry_names_every_field_with_label_type_profile_and_ops() -> None:
    assert reminder.model.CONDITION_FIELDS == condition_fields()
    assert condition_fields()[0] == "headcount" and "other" in condition_fields()
    for name in condition_fields():
        spec = field_def(name)
        assert spec is not None and spec.label and spec.ops and set(spec.ops) <= set(CONDITION_OPS)
        assert (spec.profile is None) == (spec.type == "manual"), name
        assert condition_spec(name) is not None  # the engine knows how to judge it
    assert tuple(fields.ops()) == CONDITION_OPS
    assert (op_label("<="), op_label(">="), op_label("not_has")) == ("不超过", "不低于", "不具有")
    assert profile_label("headcount") == "职工人数"


def test_extraction_output_is_checked_against_the_registry() -> None:
    check_condition("headcount", "<=")
    with pytest.raises(FieldError, match="未登记的条件字段"):
        check_condition("insured_staff", ">=")
    with pytest.raises(FieldError, match="不接受运算符"):
        check_condition("headcount", "has")


def test_a_throwaway_field_reaches_extraction_validation(throwaway: Path) -> None:
    assert "insured_staff" in reminder.model.CONDITION_FIELDS
    check_condition("insured_staff", ">=")
    # an extraction rule for it: field words in (a copy of) the extractor's own table
    rules = packaged_table("reminder.extract", "conditions.yaml")
    rules["fields"].insert(
        0, {"field": "insured_staff", "units": ["people"], "context": "any", "words": ["社保缴纳职工数"]}
    )
    write_table(throwaway, "extract/conditions.yaml", rules)
    conditions_data.vocab.cache_clear()
    doc = extract_text("关于申报的通知\n一、申报条件\n1. 社保缴纳职工数不少于50人。\n")
    found = [(c.field, c.op, c.value) for n in doc.notices for c in n.conditions]
    assert ("insured_staff", ">=", 50) in found, found


def test_a_throwaway_field_reaches_the_engine(throwaway: Path) -> None:
    profile = parse_profile({"name": "甲公司", "region": "浙江省杭州市", "headcount": 320})
    result = evaluate(_condition("insured_staff"), profile, on=ON)
    assert result.status == "pass" and "社保缴纳人数" in result.reason_zh
    assert evaluate(_condition("insured_staff", ">=", 500), profile, on=ON).status == "fail"


def test_a_throwaway_field_reaches_the_sql_prefilter(throwaway: Path) -> None:
    engine = sa.create_engine("sqlite://")
    companies = sa.Table(
        "companies", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("headcount", sa.Integer)
    )
    companies.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            companies.insert(),
            [{"id": 1, "headcount": 320}, {"id": 2, "headcount": 20}, {"id": 3, "headcount": None}],
        )
        where = compile_prefilter([_condition("insured_staff")], {"headcount": companies.c.headcount}, on=ON)
        kept = conn.execute(sa.select(companies.c.id).where(where).order_by(companies.c.id)).scalars().all()
    assert kept == [1, 3]  # 20 < 50 is ruled out; unknown stays for the engine


def test_leaving_the_override_forgets_the_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with tables_override(tmp_path, monkeypatch) as root:
        registry = packaged_table("reminder", "fields.yaml")
        registry["conditions"]["insured_staff"] = THROWAWAY
        write_table(root, "fields.yaml", registry)
        assert field_def("insured_staff") is not None
    assert field_def("insured_staff") is None and "insured_staff" not in reminder.model.CONDITION_FIELDS


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"type": "colour"}, "conditions.headcount.type"),
        ({"ops": ["≤"]}, "conditions.headcount.ops"),
        ({"profile": None}, "conditions.headcount"),
        ({"labels": "x"}, "conditions.headcount.labels"),
    ],
)
def test_a_malformed_registry_names_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any], key: str
) -> None:
    with tables_override(tmp_path, monkeypatch) as root:
        registry = packaged_table("reminder", "fields.yaml")
        registry["conditions"]["headcount"] = {**registry["conditions"]["headcount"], **change}
        path = write_table(root, "fields.yaml", registry)
        with pytest.raises(DataFileError) as info:
            condition_fields()
    assert info.value.file == str(path) and info.value.key == key
    assert str(path) in str(info.value) and "数据表" in str(info.value)


def test_every_profile_column_named_by_the_registry_exists() -> None:
    """A field's ``profile`` is a Profile attribute, and a column of the companies table when SQL can filter on it."""
    attributes = {f.name for f in dataclass_fields(Profile)}
    for spec in fields.field_defs().values():
        if spec.profile is not None:
            assert spec.profile in attributes, spec
            assert spec.profile in fields.profile_defs(), (
                f"{spec.profile}: no label in the registry's profile table"
            )
        if spec.type in ("number", "money", "age"):
            assert spec.profile in Company.model_fields, spec
