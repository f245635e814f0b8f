"""The coach handoffs: their tables (models), the handoff store (handoffs) and the desk's accounts
and sessions (desk_access); plain functions on a Session, engines from catalog_db.engine."""
from typing import Mapping, Optional


def handoff_db_url(env: Mapping[str, str]) -> Optional[str]:
    """Where handoffs live: HANDOFF_DB_URL, else the catalog database (None: catalog_db's default)."""
    return env.get("HANDOFF_DB_URL") or env.get("CATALOG_DB_URL") or None


def has_own_database(env: Mapping[str, str]) -> bool:
    """Whether handoffs have a database of their own (HANDOFF_DB_URL), which the desk and the action
    server create on first use; the catalog's database they never create (catalog_db/engine.py)."""
    return bool(env.get("HANDOFF_DB_URL"))
