"""The README's district roles: the application role does a console's work, and can read and
append to the audit log but neither change, remove nor drop it (it does not own it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import ProgrammingError

from gridconsole.clock import FrozenClock
from gridconsole.config import Settings
from gridconsole.services.bundle import Services
from gridconsole.store.engine import Database
from tests.factories import T0, new_case_fields

# the README's grants, for the schema the test's database lives in (public in a deployment)
GRANTS = (
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    "REVOKE ALL ON audit_entries FROM {role}",
    "GRANT SELECT, INSERT ON audit_entries TO {role}",
)


@pytest.fixture
def app_role(any_db: Database) -> Iterator[tuple[str, str]]:
    """A login role with the README's grants: its name and the URL that logs in as it."""
    if any_db.dialect != "postgresql":
        pytest.skip("database roles and privileges are PostgreSQL's")
    role = f"gct_app_{uuid.uuid4().hex[:10]}"
    with any_db.writer.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for grant in GRANTS:
            connection.execute(text(grant.format(schema=f'"{schema}"', role=f'"{role}"')))
    url = any_db.reader.url.set(username=role).render_as_string(hide_password=False)
    try:
        yield role, url
    finally:
        with any_db.writer.begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))


def _refused(engine: Engine, statement: str) -> str:
    with pytest.raises(ProgrammingError) as refused, engine.begin() as connection:
        connection.execute(text(statement))
    return str(refused.value.orig)


def test_the_application_role_works_and_only_appends_to_the_audit_log(
    app_role: tuple[str, str],
) -> None:
    _role, url = app_role
    db = Database.connect(url)
    try:
        services = Services.build(db, Settings(), FrozenClock(T0), "disp")
        case = services.cases.report(new_case_fields())
        accepted = services.cases.accept(case.code, case.version)
        assert accepted.version == case.version + 1
        with db.reader.connect() as connection:
            connection.execute(text("SELECT count(*) FROM audit_entries")).scalar_one()
        for statement in (
            "UPDATE audit_entries SET seq = seq",
            "DELETE FROM audit_entries",
            "TRUNCATE audit_entries",
        ):
            assert "permission denied" in _refused(db.writer, statement)
        for statement in (
            "ALTER TABLE audit_entries DISABLE TRIGGER ALL",
            "DROP TABLE audit_entries",
        ):
            assert "must be owner" in _refused(db.writer, statement)
    finally:
        db.dispose()


def test_the_grants_leave_no_table_out(app_role: tuple[str, str], any_db: Database) -> None:
    """Every table but the audit log is the application's to read and write."""
    role, _url = app_role
    engine = create_engine(any_db.reader.url)
    try:
        with engine.connect() as connection:
            missing = connection.execute(
                text(
                    "SELECT tablename, privilege FROM pg_tables, "
                    "unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS privilege "
                    "WHERE schemaname = current_schema() AND tablename <> 'audit_entries' "
                    "AND NOT has_table_privilege(:role, format('%I.%I', schemaname, tablename), "
                    "privilege)"
                ),
                {"role": role},
            ).all()
            assert missing == []
    finally:
        engine.dispose()
