"""kvant.Store with a PostgreSQL connection string: the demo's files imported into a fresh PostgreSQL database read
back and split exactly as from a SQLite file. Runs against server 1 of the test servers (KVANT_TEST_PG_DIR, made
by tests/pg/pg_servers.sh); skipped, saying so, without them."""

import glob
import os
import pathlib
import shutil
import subprocess
import urllib.parse

import pytest

import kvant


def _psql():
    found = shutil.which("psql") or sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    return found if isinstance(found, str) else (found[-1] if found else None)


@pytest.fixture
def pg_db():
    d = os.environ.get("KVANT_TEST_PG_DIR")
    if not d:
        pytest.skip("KVANT_TEST_PG_DIR is not set (no PostgreSQL test servers)")
    d = pathlib.Path(d)
    if (d / "absent").exists():
        pytest.skip("the PostgreSQL server binaries are absent: " + (d / "absent").read_text().strip())
    if not (d / "server1.conninfo").exists():
        pytest.skip(f"no {d}/server1.conninfo (the test servers are not running)")
    psql = _psql()
    if not psql:
        pytest.skip("no psql to create the test database")
    server = urllib.parse.urlsplit((d / "server1.conninfo").read_text().strip())
    name = f"python_pg_{os.getpid()}"
    admin = urllib.parse.urlunsplit(server._replace(path="/postgres"))
    subprocess.run([psql, "-X", "-q", "-d", admin, "-c", f"CREATE DATABASE {name}"], check=True)
    try:
        yield urllib.parse.urlunsplit(server._replace(path="/" + name))
    finally:
        subprocess.run([psql, "-X", "-q", "-d", admin, "-c", f"DROP DATABASE {name} WITH (FORCE)"], check=True)


KINDS = ["organizations", "abonents", "accounts", "metering_points", "meter_models", "meters", "readings"]


def test_postgres_store_reads_and_splits_as_sqlite(pg_db, demo_dir, tmp_path):
    files = [(k, demo_dir / f"{k}.csv") for k in KINDS]
    with kvant.Store(pg_db) as pg, kvant.Store(tmp_path / "twin.db") as file:
        assert "password" not in pg.path
        rows_pg, _ = pg.import_csv(files)
        rows_file, _ = file.import_csv(files)
        assert rows_pg == rows_file > 0
        values = pg.reading_count()
        assert values == file.reading_count() > 0
        a, b = pg.readings(), file.readings()
        assert len(a) == len(b) > 0
        assert list(a.times) == list(b.times) and list(a.values) == list(b.values)
        sa = kvant.split(pg, "three-zone", by="month")
        sb = kvant.split(file, "three-zone", by="month")
        assert len(sa) > 0 and sa.equals(sb)
    with kvant.Store(pg_db, mode="read_only") as ro:
        assert ro.reading_count() == values


def test_postgres_password_never_in_the_message(pg_db):
    u = urllib.parse.urlsplit(pg_db)
    wrong = urllib.parse.urlunsplit(u._replace(netloc=f"{u.username}:Wr0ngSecretXyz@{u.hostname}:{u.port}",
                                               path=u.path + "_absent"))
    with pytest.raises(kvant.StorageError) as e:
        kvant.Store(wrong, mode="read_only")
    assert "Wr0ngSecretXyz" not in str(e.value)
    assert u.path[1:] + "_absent" in str(e.value)
