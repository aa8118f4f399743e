"""Company profiles in the database: validated registration and updates, and Company ⇄ Profile.

    register_company(data) ── parse_profile (English or Chinese keys) ── duplicate checks
                           └─ Company row (+ an email Channel for the contact email)
    registered_conflicts / insert_companies ── the same for thousands of validated profiles at once
                           (a CSV import): set-based duplicate checks, batched core inserts
    update_company_profile ── the stored profile merged with the fields given, validated the same way
    profile_from_company / company_fields_from_profile ── the two directions between row and Profile

Stored forms: the region as province / city / district codes plus its full name; money in 万 of
``currency`` (NULL in rows older than that column: 人民币);
qualifications as ``[{"name", "valid_until"}]``, where ``[]`` means "not filled in" and
``[{"name": "无"}]`` means "holds none"; ``legal_person`` as "是" / "否". These functions flush but
never commit, and never match: callers run ``reminder.workflow.company_changed`` afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reminder.companies.records import create_company, update_company
from reminder.db.models import Channel, Company, CompanyCreate, CompanyUpdate, utcnow
from reminder.errors import DuplicateCompany, ProfileError
from reminder.rules import (
    Profile,
    Qualification,
    Region,
    RegionError,
    fold,
    header_map,
    parse_bool,
    parse_profile,
    profile_label,
    profile_to_dict,
    profile_warnings,
    region_by_code,
    region_codes,
    region_path,
    resolve_region,
)
from reminder.rules.profile import parse_date
from reminder.rules.regions import COUNTRY_CODE

__all__ = [
    "EMAIL_CHANNEL_NAME",
    "NO_QUALIFICATIONS",
    "profile_from_company",
    "company_warnings",
    "company_fields_from_profile",
    "region_of",
    "qualifications_from_json",
    "legal_person_from_text",
    "decimal_of",
    "register_company",
    "registered_conflicts",
    "insert_companies",
    "update_company_profile",
    "find_company",
]

log = logging.getLogger(__name__)

#: name of the email channel kept in step with the contact email
EMAIL_CHANNEL_NAME = "联系邮箱"
#: the stored form of "holds no qualification" (``[]`` is "not filled in")
NO_QUALIFICATIONS: list[dict[str, Any]] = [{"name": "无", "valid_until": None}]


# ── row → profile ──────────────────────────────────────────────────────────────────────────


def region_of(
    province_code: str | None,
    city_code: str | None,
    district_code: str | None,
    region_name: str | None = None,
) -> Region:
    """The most precise region the stored codes (or else the stored name) give; 中国 when neither does."""
    for code in (district_code, city_code, province_code):
        if code:
            try:
                return region_by_code(code)
            except RegionError:
                log.warning("unknown stored region code %r", code)
    if region_name:
        try:
            return resolve_region(region_name)
        except RegionError:
            log.warning("unreadable stored region name %r", region_name)
    return region_by_code(COUNTRY_CODE)


def qualifications_from_json(items: Any) -> tuple[Qualification, ...] | None:
    """The stored qualification list as the profile holds it: None when not filled in, () for none.

    Args:
        items: the JSON column's value (a list, or its text as some drivers return it).

    Raises:
        ValueError: an entry without a name or with an unreadable date.
    """
    if isinstance(items, str):
        items = json.loads(items)
    if not items:
        return None
    held = []
    for item in items:
        if not isinstance(item, Mapping) or not item.get("name"):
            raise ValueError(f"资质记录无法读取：{item!r}")
        if item["name"] != NO_QUALIFICATIONS[0]["name"]:
            until = item.get("valid_until")
            held.append(Qualification(str(item["name"]), parse_date(until) if until else None))
    return tuple(held)


def decimal_of(value: float | int | None) -> Decimal | None:
    """A stored number as the profile holds it (floats through their shortest repr: 0.1 → 0.1)."""
    return None if value is None else Decimal(str(value))


def legal_person_from_text(text: str | None) -> bool | None:
    """是/否 (or a legal-person type such as 企业法人, which means yes; 非独立法人 means no)."""
    if text is None or not text.strip():
        return None
    try:
        return parse_bool(text)
    except ValueError:
        return not fold(text).startswith(("非", "不"))


def profile_from_company(company: Company) -> Profile:
    """The rules engine's view of a stored company.

    Raises:
        ProfileError: the stored values are invalid (e.g. written around ``register_company``).
    """
    return Profile(
        name=company.name,
        region=region_of(
            company.province_code, company.city_code, company.district_code, company.region_name
        ),
        credit_code=company.credit_code,
        industry=company.industry,
        industry_tags=tuple(company.industry_tags or ()),
        founded_on=company.founded_on,
        headcount=company.headcount,
        annual_revenue=decimal_of(company.annual_revenue),
        total_assets=decimal_of(company.total_assets),
        registered_capital=decimal_of(company.registered_capital),
        rd_expense_ratio=decimal_of(company.rd_expense_ratio),
        rd_staff_ratio=decimal_of(company.rd_staff_ratio),
        qualifications=qualifications_from_json(company.qualifications),
        legal_person=legal_person_from_text(company.legal_person),
        credit_ok=company.credit_ok,
        applicant_type=company.applicant_type or "企业",
        contact_email=company.contact_email,
        currency=company.currency,
    )


def company_warnings(company: Company) -> tuple[str, ...]:
    """What is worth a second look in a stored profile (Chinese), e.g. a region its credit code contradicts."""
    try:
        return profile_warnings(profile_from_company(company))
    except ProfileError:
        return ()


# ── profile → row ──────────────────────────────────────────────────────────────────────────


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def company_fields_from_profile(profile: Profile) -> dict[str, Any]:
    """The Company columns for a profile, for ``CompanyCreate(**fields)`` or ``CompanyUpdate(**fields)``.

    Args:
        profile: a validated profile.

    Returns:
        Every profile column (None where not filled in); notification settings are not touched.
    """
    if profile.qualifications is None:
        qualifications: list[dict[str, Any]] = []
    elif not profile.qualifications:
        qualifications = [dict(q) for q in NO_QUALIFICATIONS]
    else:
        qualifications = [
            {"name": q.name, "valid_until": q.valid_until.isoformat() if q.valid_until else None}
            for q in profile.qualifications
        ]
    return {
        "name": profile.name,
        "credit_code": profile.credit_code,
        **region_codes(profile.region),
        "region_name": region_path(profile.region),
        "industry": profile.industry,
        "industry_tags": list(profile.industry_tags),
        "founded_on": profile.founded_on,
        "headcount": profile.headcount,
        "annual_revenue": _float(profile.annual_revenue),
        "total_assets": _float(profile.total_assets),
        "registered_capital": _float(profile.registered_capital),
        "rd_expense_ratio": _float(profile.rd_expense_ratio),
        "rd_staff_ratio": _float(profile.rd_staff_ratio),
        "qualifications": qualifications,
        "legal_person": None if profile.legal_person is None else "是" if profile.legal_person else "否",
        "credit_ok": profile.credit_ok,
        "applicant_type": profile.applicant_type,
        "contact_email": profile.contact_email,
        "currency": profile.currency,
    }


# ── lookups and duplicate checks ───────────────────────────────────────────────────────────


def find_company(*, session: Session, ref: str | int) -> Company | None:
    """A company by id, 统一社会信用代码 or exact name (in that order), or None."""
    text = str(ref).strip()
    if text.isdigit():
        found = session.get(Company, int(text))
        if found is not None:
            return found
    code = fold(text).upper()
    by_code = session.exec(select(Company).where(Company.credit_code == code)).first()
    if by_code is not None:
        return by_code
    return session.exec(select(Company).where(Company.name == text).order_by(col(Company.id))).first()


def _taken(field: str, value: Any, holder: str, holder_id: int | None) -> str:
    return (
        f"{profile_label(field)}：“{value}”已被“{holder}”（编号 {holder_id}）登记，不能重复登记"
        f" / already registered as company {holder_id}"
    )


def _conflicts(session: Session, fields: Mapping[str, Any], own_id: int | None) -> dict[str, str]:
    """Per-field messages (for operators: they name the holder) for a credit code or name another company has."""
    errors: dict[str, str] = {}
    checks = (("credit_code", Company.credit_code), ("name", Company.name))
    for field, column in checks:
        value = fields.get(field)
        if value is None:
            continue
        other = session.exec(
            select(Company).where(column == value, col(Company.id) != (own_id or -1))
        ).first()
        if other is not None:
            errors[field] = _taken(field, value, other.name, other.id)
    return errors


#: values per IN (...) list: well under every backend's bound-parameter limit
_CHUNK = 500


def registered_conflicts(
    *, session: Session, rows: Sequence[Mapping[str, Any]], names_up_to: int | None = None
) -> list[dict[str, str]]:
    """For each row of company columns, the messages ``register_company`` gives for a credit code or
    name already registered (empty when none), found with a few set-based queries.

    Args:
        session: the session.
        rows: company columns (``company_fields_from_profile``), e.g. the rows of a CSV file.
        names_up_to: compare names with companies up to this id only (those registered before an
            import began: its own rows have distinct names). Names are not indexed: each query
            reads the table, and an import of 100,000 rows would read its own rows again per batch.

    Returns:
        Per row, field → Chinese message (the lowest-numbered holder is named).
    """
    checks = (("credit_code", col(Company.credit_code)), ("name", col(Company.name)))
    holders: dict[tuple[str, Any], tuple[str, int | None]] = {}
    for field, column in checks:
        values = sorted({r[field] for r in rows if r.get(field) is not None})
        for start in range(0, len(values), _CHUNK):
            query = sa.select(col(Company.id), col(Company.name), column).where(
                column.in_(values[start : start + _CHUNK])
            )
            if field == "name" and names_up_to is not None:
                query = query.where(col(Company.id) <= names_up_to)
            for company_id, name, value in session.connection().execute(query.order_by(col(Company.id))):
                holders.setdefault((field, value), (name, company_id))
    found = []
    for row in rows:
        errors = {}
        for field, _ in checks:
            holder = holders.get((field, row.get(field)))
            if holder is not None:
                errors[field] = _taken(field, row[field], *holder)
        found.append(errors)
    return found


def _insert_rows(conn: sa.Connection, companies: sa.Table, chunk: list[dict[str, Any]]) -> list[int]:
    """Insert company rows; their new ids, in the order of ``chunk``."""
    names = [row["name"] for row in chunk]
    if len(set(names)) < len(names):  # ids in parameter order: SQLite then inserts row by row
        insert = sa.insert(companies).returning(companies.c.id, sort_by_parameter_order=True)
        return [int(i) for i in conn.execute(insert, chunk).scalars()]
    # multi-row INSERTs (a CSV's names are distinct): RETURNING comes in no set order, the name says whose
    insert = sa.insert(companies).returning(companies.c.id, companies.c.name)
    by_name = {name: int(company_id) for company_id, name in conn.execute(insert, chunk)}
    return [by_name[name] for name in names]


def insert_companies(
    *,
    session: Session,
    rows: Sequence[CompanyCreate],
    now: dt.datetime | None = None,
    batch: int = 2000,
    done: Callable[[int], None] | None = None,
) -> list[int]:
    """Store validated, non-conflicting companies as ``register_company`` would, in batched core inserts.

    Args:
        session: where to write (flushed, not committed).
        rows: validated companies (``CompanyCreate(**company_fields_from_profile(profile))``), checked
            with ``registered_conflicts``.
        now: the creation instant (default now).
        batch: rows per INSERT.
        done: called with the number of rows stored after each batch (a progress bar).

    Returns:
        The new ids, in the order of ``rows``.
    """
    now = now or utcnow()
    session.flush()
    conn = session.connection()
    companies, channels = Company.__table__, Channel.__table__  # type: ignore[attr-defined]
    ids: list[int] = []
    for start in range(0, len(rows), batch):
        chunk = [
            {**row.model_dump(), "created_at": now, "updated_at": now} for row in rows[start : start + batch]
        ]
        new = _insert_rows(conn, companies, chunk)
        emails = [
            {
                "company_id": company_id, "kind": "email", "name": EMAIL_CHANNEL_NAME, "target": row["contact_email"],
                "enabled": True, "unconfirmed": False, "created_at": now, "updated_at": now,
            }
            for company_id, row in zip(new, chunk, strict=True)
            if row.get("contact_email")
        ]  # fmt: skip
        if emails:
            conn.execute(sa.insert(channels), emails)
        ids += new
        if done is not None:
            done(len(chunk))
    log.info("registered %d companies in bulk", len(ids))
    return ids


# ── the email channel ──────────────────────────────────────────────────────────────────────


def _email_channel(session: Session, company_id: int) -> Channel | None:
    query = select(Channel).where(
        Channel.company_id == company_id, Channel.kind == "email", Channel.name == EMAIL_CHANNEL_NAME
    )
    return session.exec(query.order_by(col(Channel.id))).first()


def _sync_email_channel(
    session: Session, company: Company, now: dt.datetime, *, confirm: bool = False
) -> None:
    """Point the company's 联系邮箱 channel at its contact email (disabled when the email is cleared);
    with ``confirm`` a new address is ``unconfirmed`` until its owner confirms it."""
    assert company.id is not None
    channel = _email_channel(session, company.id)
    email = company.contact_email
    if channel is None:
        if email:
            session.add(
                Channel(
                    company_id=company.id,
                    kind="email",
                    name=EMAIL_CHANNEL_NAME,
                    target=email,
                    enabled=True,
                    unconfirmed=confirm,
                    created_at=now,
                    updated_at=now,
                )
            )
        return
    if email:
        channel.unconfirmed = confirm and (channel.unconfirmed or channel.target != email)
        channel.target, channel.enabled = email, True
    else:
        channel.enabled = False
    channel.updated_at = now
    session.add(channel)


# ── registering and updating ───────────────────────────────────────────────────────────────


def register_company(
    *, session: Session, data: Mapping[str, Any], now: dt.datetime | None = None, confirm_email: bool = False
) -> Company:
    """Validate a profile and store it as a new company (with an email channel for its contact email).

    Args:
        session: where to write (flushed, not committed).
        data: field → value, English (``headcount``) or Chinese (职工人数) keys, as ``parse_profile``.
        now: the creation instant (default now).
        confirm_email: the address came from a public form: its channel stays ``unconfirmed`` (it gets
            nothing but the confirmation) until its owner confirms it. Operators' imports vouch for theirs.

    Returns:
        The stored company.

    Raises:
        ProfileError: per-field Chinese messages — invalid values, a missing name or region, or a
            credit code or name another company already has.
    """
    now = now or utcnow()
    fields = company_fields_from_profile(parse_profile(data))
    errors = _conflicts(session, fields, None)
    if errors:
        raise DuplicateCompany(errors)
    company = create_company(session=session, company_in=CompanyCreate(**fields), now=now)
    _sync_email_channel(session, company, now, confirm=confirm_email)
    session.flush()
    log.info("registered company %d %s", company.id, company.name)
    return company


def _field_names(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keys as field names where known (职工人数 → headcount); unknown keys stay for parse_profile to report."""
    known = header_map()
    return {known.get(fold(str(key)).lower(), str(key)): value for key, value in data.items()}


def _merged(company: Company, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored profile with ``data`` laid over it (a new region replaces the stored codes)."""
    given = _field_names(data)
    current = profile_to_dict(profile_from_company(company))
    if "region" in given or "region_code" in given:
        current.pop("region", None)
        current.pop("region_code", None)
    return {**current, **given}


def update_company_profile(
    *,
    session: Session,
    company: Company,
    data: Mapping[str, Any],
    now: dt.datetime | None = None,
    confirm_email: bool = False,
) -> Company:
    """Change some profile fields of a company, validated like ``register_company``.

    Args:
        session: where to write (flushed, not committed).
        company: the stored company.
        data: only the fields to change (English or Chinese keys); a blank value clears a field.
        now: the update instant (default now).

    Returns:
        The company, updated; its email channel follows a changed contact email.

    Raises:
        ProfileError: per-field Chinese messages, as for ``register_company``.
    """
    now = now or utcnow()
    fields = company_fields_from_profile(parse_profile(_merged(company, data)))
    changed = {k: v for k, v in fields.items() if getattr(company, k) != v}
    errors = _conflicts(session, changed, company.id)
    if errors:
        raise DuplicateCompany(errors)
    email_changed = "contact_email" in changed
    update_company(session=session, company=company, company_in=CompanyUpdate(**changed), now=now)
    if email_changed:
        _sync_email_channel(session, company, now, confirm=confirm_email)
        session.flush()
    log.info("updated company %d: %s", company.id, ", ".join(sorted(changed)) or "nothing changed")
    return company
