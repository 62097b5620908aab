"""Why a file was refused: one error per cause, each with a sentence a person understands."""

from __future__ import annotations

from scriptsensei.core.errors import AppError


class FileRejected(AppError):
    """A file that cannot be accepted. Raised for one file; other files of a request go on."""

    status_code, error = 422, "file_rejected"


class EmptyFile(FileRejected):
    status_code, error = 400, "empty_file"


class BadFileName(FileRejected):
    status_code, error = 400, "bad_file_name"


class FileTooLarge(FileRejected):
    status_code, error = 413, "file_too_large"


class UnsupportedFileType(FileRejected):
    status_code, error = 415, "unsupported_type"


class CorruptFile(FileRejected):
    status_code, error = 422, "corrupt_file"


class TooManyPages(FileRejected):
    status_code, error = 422, "too_many_pages"


class TooManyPixels(FileRejected):
    status_code, error = 422, "too_many_pixels"


class StorageFailed(FileRejected):
    """The file was fine but could not be kept (disk full, unwritable storage, database)."""

    status_code, error = 503, "not_saved"


def status_of_rejection(error: str) -> int:
    """The HTTP status of a rejection, from its error code (every FileRejected subclass)."""
    pending, found = [FileRejected], {}
    while pending:
        cls = pending.pop()
        found[cls.error] = cls.status_code
        pending.extend(cls.__subclasses__())
    return found.get(error, FileRejected.status_code)
