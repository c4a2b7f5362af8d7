"""Fixtures of the kvant package's tests: the kvant tool built beside the package (KVANT_CLI), the demo data
(KVANT_DEMO) and a demo database made by `kvant demo`, with its anomalies detected."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("KVANT_CLI", str(ROOT / "build" / "dev" / "kvant"))
    if not os.path.exists(path):
        pytest.skip(f"the kvant tool is not built ({path}; set KVANT_CLI)")
    return path


@pytest.fixture(scope="session")
def demo_dir():
    return pathlib.Path(os.environ.get("KVANT_DEMO", str(ROOT / "data" / "demo")))


@pytest.fixture(scope="session")
def demo_db(cli, demo_dir, tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    subprocess.run([cli, "demo", "--db", str(db), "--data", str(demo_dir)], check=True, capture_output=True)
    subprocess.run([cli, "anomalies", "detect", "--db", str(db), "--at", "2021-01-01T00:00:00Z", "--quiet"],
                   check=True, capture_output=True)
    return db


def run_cli(cli, *args):
    """The kvant tool's CSV output of a command."""
    r = subprocess.run([cli, *map(str, args)], check=True, capture_output=True, text=True)
    return r.stdout
