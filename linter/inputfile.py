"""Reading the files a user points venvlint at (Dockerfiles, configs, profiles, build-arg and ignore files).

Every read goes through `read_bytes`: it refuses anything but a regular file before opening it (a FIFO would block
forever, /dev/zero would never end) and anything larger than a limit, so no input can hang venvlint or exhaust
its memory. Problems are InputErrors naming the file, which the command line turns into exit code 2.
"""

from __future__ import annotations

import os
import stat

from .errors import InputError

MiB = 1024 * 1024


def require_regular(path: str, what: str) -> os.stat_result:
    """The file's status, if it is a regular file (symlinks followed: a link to /dev/zero is a device)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{what}: no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", path) from None
    except ValueError:  # a NUL byte in the name: no file can have it
        raise InputError(f"{what}: the file name contains a NUL byte", repr(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{what} is a directory", path)
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{what} is not a regular file (a FIFO, socket or device?)", path)
    return st


def read_bytes(path: str, what: str, limit: int = 10 * MiB) -> bytes:
    st = require_regular(path, what)
    if st.st_size > limit:
        raise InputError(f"{what} is {st.st_size // MiB} MiB: larger than the {limit // MiB} MiB venvlint reads", path)
    try:
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", path) from None


def read_text(path: str, what: str, limit: int = 10 * MiB) -> str:
    """The file as UTF-8 text (a leading BOM dropped); NUL bytes or invalid UTF-8 are InputErrors with the line."""
    data = read_bytes(path, what, limit)
    return decode_text(data, path, f"{what} has binary content (NUL bytes)", f"{what} is not valid UTF-8 text")


def decode_text(data: bytes, path: str, binary_message: str, not_utf8_message: str) -> str:
    """UTF-8 text without a leading BOM; NUL bytes or invalid UTF-8 (with its line) are InputErrors."""
    if b"\x00" in data:
        raise InputError(binary_message, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(not_utf8_message, path, line) from None
    return text[1:] if text.startswith("\ufeff") else text
