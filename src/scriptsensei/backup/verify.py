"""Checking an archive without restoring it: the manifest, every checksum, every file the
database rows reference."""

from __future__ import annotations

import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from scriptsensei.backup.archive import FILES_PREFIX, iter_members, read_manifest
from scriptsensei.backup.manifest import Manifest, sha256_of_stream


@dataclass
class VerifyReport:
    archive: Path
    manifest: Manifest | None = None
    problems: list[str] = field(default_factory=list)
    checked_files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_members(tar: tarfile.TarFile, report: VerifyReport, manifest: Manifest) -> set[str]:
    seen: set[str] = set()
    for member, handle in iter_members(tar):
        seen.add(member.name)
        expected = manifest.files.get(member.name)
        if expected is None:
            report.problems.append(f"{member.name}: not listed in the manifest")
        elif sha256_of_stream(handle) != expected:
            report.problems.append(f"{member.name}: checksum does not match the manifest")
        report.checked_files += 1
    return seen


def verify_archive(path: Path) -> VerifyReport:
    report = VerifyReport(path)
    try:
        with tarfile.open(path, "r") as tar:
            manifest = read_manifest(tar)
            report.manifest = manifest
            seen = _check_members(tar, report, manifest)
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        report.problems.append(f"the archive cannot be read: {exc}")
        return report
    for name in sorted(set(manifest.files) - seen):
        report.problems.append(f"{name}: listed in the manifest but missing from the archive")
    if manifest.database_file not in seen:
        report.problems.append("the database dump is missing")
    for key in manifest.referenced_keys:
        if FILES_PREFIX + key not in seen:
            report.problems.append(f"stored file {key} is referenced by the database but missing")
    return report
