"""Companies as a service: registration and updates of validated profiles, CSV import, Company ⇄ Profile.

    create_company / get_company / list_companies / update_company, matches ── records.py (row CRUD)
    register_company / update_company_profile / find_company, row ⇄ Profile ── profiles.py
    import_profiles (CSV text: good rows registered, bad rows reported) ─────── csv_import.py

Nothing here matches or commits: callers run ``reminder.workflow.company_changed`` afterwards.
"""

from reminder.companies.csv_import import ImportReport, import_profiles
from reminder.companies.profiles import (
    find_company,
    profile_from_company,
    register_company,
    update_company_profile,
)
from reminder.companies.records import (
    create_company,
    get_company,
    get_match,
    list_companies,
    save_match,
    update_company,
)

__all__ = [
    "ImportReport",
    "create_company",
    "find_company",
    "get_company",
    "get_match",
    "import_profiles",
    "list_companies",
    "profile_from_company",
    "register_company",
    "save_match",
    "update_company",
    "update_company_profile",
]
