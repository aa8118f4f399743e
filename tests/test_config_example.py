"""config/.env.example documents every setting, under the name the settings read."""

from __future__ import annotations

import re
from pathlib import Path

from reminder.config import Settings

EXAMPLE = Path(__file__).parent.parent / "config" / ".env.example"


def _env_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else f"REMINDER_{field.upper()}"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", EXAMPLE.read_text(encoding="utf-8"), re.M))
    expected = {_env_name(f) for f in Settings.model_fields}
    assert expected - documented == set(), "add these to config/.env.example"
    assert documented - expected == set(), "these are not settings"


def test_the_documented_defaults_are_the_defaults(tmp_path: Path) -> None:
    lines = [line.removeprefix("# ") for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    examples = {
        "DATABASE_URL",
        "REMINDER_ADMIN_TOKEN",
        "REMINDER_SECRET_KEY",
        "REMINDER_WEBHOOK_ALLOW_HOSTS",
        "REMINDER_DATA_KEY",
    }
    examples |= {"REMINDER_METRICS_TOKEN"}
    examples |= {n for n in (f"REMINDER_{k}" for k in ("SMTP_HOST", "SMTP_USERNAME", "SMTP_PASSWORD"))}
    kept = [line for line in lines if re.match(r"^[A-Z_]+=", line) and line.split("=")[0] not in examples]
    env = tmp_path / ".env"
    env.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert Settings(_env_file=env) == Settings(_env_file=None)  # type: ignore[call-arg]
