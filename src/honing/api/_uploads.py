"""An uploaded file saved to a private temporary directory under its own base name, so the
library reads it as it reads a file on disk and names it in its errors by that name."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from honing._errors import InvalidInput, PayloadTooLarge


@contextmanager
def saved_upload(upload: UploadFile, limit: int, *, hint: str) -> Iterator[Path]:
    """The upload as a file on disk, removed on exit; refused when empty or past `limit` bytes."""
    name = Path(upload.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="honing-upload-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            copied = 0
            while chunk := upload.file.read(1024 * 1024):
                copied += len(chunk)
                if copied > limit:
                    raise PayloadTooLarge(f"the upload is larger than {limit} bytes", hint=hint)
                out.write(chunk)
        if copied == 0:
            raise InvalidInput("the uploaded file is empty")
        yield path
