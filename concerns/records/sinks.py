"""Where archive packages go: a sink takes a package's name and bytes and says where it put it.

The first sink writes to a folder (ARCHIVE_EXPORT_DIR) that the municipality's
archive, or whoever delivers to the depot, collects from. A Fiks Arkiv
adapter is another sink: a class with the same `deliver`, registered in
SINKS and chosen with ARCHIVE_SINK.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from django.conf import settings


class ArchiveSinkError(Exception):
    """The package could not be delivered; the export is tried again later."""


class ArchiveSink(Protocol):
    name: str

    def deliver(self, name: str, payload: bytes) -> str:
        """Deliver the package; return where it is now (a path, a URL, a receipt id).

        Delivering the same name twice must be harmless: a retry after a crash
        between delivery and the database commit sends the same bytes again.
        """
        ...


# A package name is ours (municipality, reference, close time), never a user's; still,
# a name that could climb out of the folder is refused outright.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


class FolderSink:
    name = "folder"

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def deliver(self, name: str, payload: bytes) -> str:
        if not _SAFE_NAME.match(name):
            raise ArchiveSinkError(f"Refused package name {name!r}.")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / name
            # Written beside the target and renamed into place, so whoever
            # collects from the folder never picks up half a package.
            descriptor, draft = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".part")
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(payload)
                    file.flush()
                    os.fsync(file.fileno())
                os.chmod(draft, 0o640)
                os.replace(draft, target)
            except BaseException:
                Path(draft).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise ArchiveSinkError(str(error)) from error
        return str(target.resolve())


SINKS = {"folder": lambda: FolderSink(settings.ARCHIVE_EXPORT_DIR)}


def configured_sink() -> ArchiveSink:
    """The sink the settings name (ARCHIVE_SINK), read when a package is delivered."""
    return SINKS[settings.ARCHIVE_SINK]()
