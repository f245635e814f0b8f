"""The coach handoffs: their tables (models), the handoff store (handoffs) and the desk's accounts
and sessions (desk_access); plain functions on a Session, engines from catalog_db.engine."""
from typing import Mapping, Optional


def handoff_db_url(env: Mapping[str, str]) -> Optional[str]:
    """Where handoffs live: HANDOFF_DB_URL, else the catalog database (None: catalog_db's default)."""
    return env.get("HANDOFF_DB_URL") or env.get("CATALOG_DB_URL") or None
