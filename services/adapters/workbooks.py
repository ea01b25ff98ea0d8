"""Saving an XLSX workbook so that the same content gives the same bytes.

openpyxl stamps the moment of saving into the document's properties and onto every entry of
the zip; a statement downloaded twice would then differ, and a bookkeeper comparing files (or
their checksums) would see a change where there is none. The workbook instead records the moment
its figures belong to (the end of the statement's period), and its zip entries a fixed date.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CORE_PROPERTIES = "docProps/core.xml"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
STAMPS = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def save_reproducibly(book: Any, path: Path, moment: datetime) -> None:
    """Saves `book` at `path`, recording `moment` (aware) as its creation and modification."""
    book.save(path)
    stamp = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as saved:
        entries = [(info, saved.read(info)) for info in saved.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as settled:
        for info, data in entries:
            if info.filename == CORE_PROPERTIES:
                data = STAMPS.sub(lambda m: m.group(1) + stamp + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            settled.writestr(entry, data)
