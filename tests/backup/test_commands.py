"""The operator's commands: backup, backup verify, restore, and the scheduled backup step."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptsensei.backup.history import last_backup
from scriptsensei.backup.schedule import _take_scheduled
from scriptsensei.cli import app
from scriptsensei.core.db import Database
from scriptsensei.core.runtime import Runtime
from scriptsensei.core.settings import Settings, get_settings


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SCRIPTSENSEI_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("SCRIPTSENSEI_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SCRIPTSENSEI_BACKUP_KEEP", "2")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_backup_verify_restore_commands(
    cli_env: CliRunner,
    settings: Settings,
    populated: list[str],
    new_host: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out_dir = tmp_path / "out"
    result = cli_env.invoke(app, ["backup", "--output", str(out_dir)])
    assert result.exit_code == 0, result.output
    archive = next(out_dir.glob("scriptsensei-backup-*.tar"))
    assert str(archive) in result.output

    result = cli_env.invoke(app, ["backup", "verify", str(archive)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")

    result = cli_env.invoke(app, ["restore", str(archive)])
    assert result.exit_code == 1
    assert "not empty" in result.output

    monkeypatch.setenv("SCRIPTSENSEI_DATABASE_URL", new_host.resolved_database_url)
    monkeypatch.setenv("SCRIPTSENSEI_DATA_DIR", str(new_host.data_dir))
    get_settings.cache_clear()
    result = cli_env.invoke(app, ["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "counts and checksums verified" in result.output


def test_backup_command_keeps_only_the_newest_archives(
    cli_env: CliRunner, populated: list[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    written: list[Path] = []
    for _ in range(4):  # SCRIPTSENSEI_BACKUP_KEEP=2
        result = cli_env.invoke(app, ["backup", "--output", str(out_dir)])
        assert result.exit_code == 0, result.output
        written.append(Path(result.output.split("Backup written: ", 1)[1].split()[0]))
    assert len(set(written)) == 4
    assert sorted(out_dir.glob("scriptsensei-backup-*.tar")) == written[-2:]
    assert "Removed 1 older archive(s) (keeping 2)" in result.output


def test_verify_command_fails_on_a_damaged_archive(cli_env: CliRunner, tmp_path: Path) -> None:
    damaged = tmp_path / "scriptsensei-backup-x.tar"
    damaged.write_bytes(b"not a tar archive at all")
    result = cli_env.invoke(app, ["backup", "verify", str(damaged)])
    assert result.exit_code == 1
    assert "FAILED" in result.output


async def test_scheduled_backup_is_recorded_and_retention_applied(
    settings: Settings, db: Database, populated: list[str]
) -> None:
    settings.backup_keep = 2
    runtime = Runtime(settings=settings, db=db)
    for _ in range(3):
        await _take_scheduled(runtime)
    archives = sorted(settings.resolved_backup_dir.glob("scriptsensei-backup-*.tar"))
    assert len(archives) == 2
    last = await last_backup(db)
    assert last is not None
    assert last.status == "succeeded"
    assert last.trigger == "scheduled"
    assert last.path == str(archives[-1])


def test_operator_script_backs_up_and_verifies(
    settings: Settings, populated: list[str], tmp_path: Path
) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "SCRIPTSENSEI_BIN": str(Path(sys.executable).parent / "scriptsensei"),
        "SCRIPTSENSEI_DATABASE_URL": settings.resolved_database_url,
        "SCRIPTSENSEI_DATA_DIR": str(settings.data_dir),
    }
    result = subprocess.run(
        ["bash", str(root / "scripts" / "backup-db-now.sh"), "--output", str(tmp_path / "b")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Backup written:" in result.stdout
    assert "OK:" in result.stdout


FAKE_DOCKER = """#!/bin/sh
echo "$*" >> "$DOCKER_CALLS"
case "$*" in
  *"backup verify"*) echo "OK: 9 members checked" ;;
  *) echo "Backup written: /backups/scriptsensei-backup-20260101T000000000000Z.tar" ;;
esac
"""


def test_operator_script_runs_in_the_app_container_on_a_compose_host(tmp_path: Path) -> None:
    """No `scriptsensei` on the host: the script backs up and verifies inside `app`."""
    checkout = tmp_path / "deployment"  # a copy of the script, without a .venv beside it
    (checkout / "scripts").mkdir(parents=True)
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "scripts" / "backup-db-now.sh", checkout / "scripts")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "docker").write_text(FAKE_DOCKER)
    (fake_bin / "docker").chmod(0o755)
    calls = tmp_path / "docker-calls"
    env = {k: v for k, v in os.environ.items() if k != "SCRIPTSENSEI_BIN"}
    env |= {"PATH": f"{fake_bin}:/usr/bin:/bin", "DOCKER_CALLS": str(calls)}
    assert shutil.which("scriptsensei", path=env["PATH"]) is None
    result = subprocess.run(
        ["bash", str(checkout / "scripts" / "backup-db-now.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == [
        "compose exec -T app scriptsensei backup",
        "compose exec -T app scriptsensei backup verify "
        "/backups/scriptsensei-backup-20260101T000000000000Z.tar",
    ]
    assert "OK:" in result.stdout
