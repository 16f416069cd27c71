"""Test-run settings for the audit log, loaded before any conftest (``-p`` in pyproject).

Every database the tests build shares one HMAC key file in a private temporary directory
(PostgreSQL schemas have no file beside them to keep a key in). Subprocesses inherit it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from gridconsole.store.audit_log import KEY_FILE_ENV, STRICT_ENV


def pytest_configure() -> None:
    if os.environ.get(KEY_FILE_ENV):
        return
    directory = Path(tempfile.mkdtemp(prefix="gridconsole-audit-"))
    key_file = directory / "audit.key"
    key_file.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    key_file.chmod(0o600)
    os.environ[KEY_FILE_ENV] = str(key_file)
    os.environ.setdefault(STRICT_ENV, os.environ.get("GRIDCONSOLE_TEST_AUDIT_STRICT", "0"))
