"""The complete backup: one tar archive with the rows (`rows.jsonl`, see services/backup.py) and
every stored file (`files/<sha256>.<ext>`), from whichever storage is configured.

The archive is deterministic (members sorted, no dates, owners or modes of the machine), so
exporting, importing into an empty site and exporting again gives the same bytes. Import checks
everything before it writes: the rows as backup.read does, and each file against the SHA-256 its
name carries; files are written before the rows (a file no row names is harmless), and the rows
in one transaction.
"""

import hashlib
import io
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from .services import backup
from .services.uploads import ANY_STORED_NAME
from .storage import current as current_storage

ROWS = "rows.jsonl"
FILES = "files/"


class ArchiveError(backup.BackupError):
    """The archive cannot be imported; the message says why. Nothing was changed."""


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 0
    return info


def export(out: IO[bytes], progress: backup.Progress | None = None) -> tuple[dict[str, int], int]:
    """Write the archive to `out`; returns the row counts and the number of files."""
    storage = current_storage()
    with tempfile.TemporaryFile() as rows:
        text = io.TextIOWrapper(rows, encoding="utf-8", newline="")
        counts = backup.export(text, progress)
        text.flush()
        size = rows.tell()
        rows.seek(0)
        files = 0
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            archive.addfile(_member(ROWS, size), rows)
            for name in sorted(storage.names()):
                if not ANY_STORED_NAME.match(name):
                    continue
                handle = storage.open(name)
                if handle is None:
                    continue
                with handle:
                    data = handle.read()
                archive.addfile(_member(FILES + name, len(data)), io.BytesIO(data))
                files += 1
        text.detach()
    return counts, files


def is_archive(path: str) -> bool:
    return tarfile.is_tarfile(path)


@dataclass
class Checked:
    plan: backup.Plan
    files: dict[str, bytes]


def _members(archive: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, bytes]]:
    for info in archive:
        if not info.isfile():
            raise ArchiveError(f"{info.name}: only plain files belong in the archive")
        handle = archive.extractfile(info)
        assert handle is not None
        yield info, handle.read()


def read(path: str) -> Checked:
    """Check the whole archive; an ArchiveError (or BackupError) says what is wrong."""
    plan: backup.Plan | None = None
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(path, mode="r:*") as archive:
            for info, data in _members(archive):
                if info.name == ROWS:
                    plan = backup.read(io.StringIO(data.decode("utf-8")))
                elif info.name.startswith(FILES):
                    name = info.name.removeprefix(FILES)
                    if not ANY_STORED_NAME.match(name):
                        raise ArchiveError(f"{info.name}: not a stored file name")
                    if hashlib.sha256(data).hexdigest() != name.split(".", 1)[0]:
                        raise ArchiveError(f"{info.name}: its content does not match its name")
                    files[name] = data
                else:
                    raise ArchiveError(f"{info.name}: unexpected member")
    except (tarfile.TarError, EOFError) as error:
        raise ArchiveError(f"the archive is damaged: {error}") from None
    except UnicodeDecodeError as error:
        raise ArchiveError(f"{ROWS} is not UTF-8 text: {error}") from None
    if plan is None:
        raise ArchiveError(f"the archive holds no {ROWS}")
    return Checked(plan, files)


def write(checked: Checked, progress: backup.Progress | None = None) -> tuple[dict[str, int], int]:
    storage = current_storage()
    for name, data in sorted(checked.files.items()):
        if not storage.exists(name):
            storage.put(name, data)
    return backup.write(checked.plan, progress), len(checked.files)
