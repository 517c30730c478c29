"""One editor document linted as the command line lints that file.

The options come from the lint command's own planning (`lint_command.plan_one`) for `venvlint --stdin-filename PATH -`:
the config discovered from the file's folder, `VENVLINT_*`, the default build context (the file's folder) and the
registry settings, with the buffer's text in place of the file on disk. No second config reader.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from ..lint import LintOptions
    from ..parse.model import Instruction
    from ..report.result import FileResult


@dataclass(frozen=True)
class Setup:
    """How one Dockerfile is linted: the CLI's options for it and its `unfixable` rules."""

    path: str
    options: LintOptions
    unfixable: frozenset[str]


def uri_to_path(uri: str) -> str | None:
    """The local file a `file:` URI names (None for another scheme: an untitled buffer). `url2pathname` makes
    `file:///c%3A/x/Dockerfile` `C:\\x\\Dockerfile` on Windows; a host other than localhost is a UNC share."""
    from urllib.request import url2pathname

    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = url2pathname(parsed.path) if os.name == "nt" else unquote(parsed.path)  # (url2pathname unquotes)
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"
    return os.path.normpath(path)


def setup_for(path: str | None) -> Setup:
    """The options the command line would lint `path` with (`venvlint --stdin-filename PATH -`). An untitled buffer
    (None) is linted as `Dockerfile` in the working directory without a build context, as stdin is without a
    name. Raises InputError for a config the command line would refuse (its one line)."""
    from ..lint_command import LintRequest, plan_one

    if path is None:
        request = LintRequest(dockerfiles=["-"], no_context=True)
    else:
        request = LintRequest(dockerfiles=["-"], stdin_filename=path)
    planned = plan_one(request)
    return Setup(
        path=planned.item.path,
        options=planned.item.options,
        unfixable=frozenset(planned.config.unfixable),
    )


def lint_text(setup: Setup, text: str) -> FileResult:
    """The lint of `text` as the file `setup.path` (what `venvlint --stdin-filename PATH -` reports)."""
    from .. import lint

    return lint.lint_file(setup.path, setup.options, text=text)


def instruction_at(text: str, path: str, line: int) -> Instruction | None:
    """The instruction that covers 1-based `line` (its continuation lines and heredoc bodies included)."""
    from ..parse.reader import parse_text

    for ins in parse_text(text, path).instructions:
        if ins.line <= line <= ins.end_line:
            return ins
    return None
