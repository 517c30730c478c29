"""`venvlint --fix` / `--diff`: apply the findings' edits, each only once replaying the edited build proves it.

A finding's fix is a set of edits (`venvlint.edits`). For each finding in turn, its edits are applied to the current
text and the file is linted again, as the same file with the same options (the same context, build arguments and
profiles): the edit is kept only when that finding is gone and no error or warning appeared that was not there
before. A kept edit changes the text the next finding's edits apply to, so fixes compose; the loop runs until no
finding can be fixed, and a second run over its result changes nothing.

Safety, as ruff has it, is declared by the rule that makes an edit (`Edit.changes`, `venvlint.edits`): an edit is
*safe* when it only changes owners and modes (a `RUN chown/chmod/chgrp/install -d` inserted, with the `USER` lines
that run it as root; `--chown`/`--chmod` on a COPY; `umask 002 &&` before a RUN's script; the `uid=`/`gid=` of a
cache mount). Anything else (an ENV that changes what a tool does, a command moved or removed) is *unsafe*: applied
only with `--unsafe-fixes`. A recursive chown or chmod as a step of its own is never applied (it copies the tree
into a new layer).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .edits import Edit, EditError, EditKind, Safety, apply_edits
from .findings import Finding, Severity
from .lines import split_lines_keepends
from .model.fs import below
from .report.result import FileResult

if TYPE_CHECKING:
    from .lint import LintOptions


_RECURSIVE = re.compile(r"\bch(own|mod|grp)\s+(-\w*R|--recursive)\b")  # a last guard: rules never make one


def safety(f: Finding) -> Safety | None:
    """The safety of a finding's fix (UNSAFE when any of its edits is), None when it has no edit."""
    if not f.edits:
        return None
    return Safety.SAFE if all(e.safety is Safety.SAFE for e in f.edits) else Safety.UNSAFE


@dataclass
class FixOutcome:
    """What `fix_text` did: the fixed text, the findings it fixed (as found before their fix), the findings it
    left with the reason (by (code, line, path) of the finding as last seen), and the final lint result."""

    text: str
    before: FileResult  # the lint of the text as given
    result: FileResult  # the lint of `text`
    fixed: list[Finding] = field(default_factory=list)
    not_fixed: dict[tuple[str, int, str], str] = field(default_factory=dict)


def fix_text(
    text: str,
    lint: Callable[[str], FileResult],
    *,
    unsafe: bool = False,
    fixable: Callable[[str], bool] = lambda code: True,
    max_rounds: int = 20,
) -> FixOutcome:
    """Fix what can be proven fixed. `lint(text)` lints `text` as the file (same path, context and options).

    Each round lints the current text and tries the findings' edits one finding at a time (first line first):
    the first whose replay removes it without a new error or warning is kept, and the round starts over on the
    new text. `fixable(code)` says whether a rule may be fixed. Never raises for an edit that does not fit: that
    finding is left, with the reason."""
    result = lint(text)
    outcome = FixOutcome(text, before=result, result=result)
    failed: dict[tuple[str, str, tuple[Edit, ...]], str] = {}  # an attempt that failed fails again: not replayed
    for _ in range(max_rounds):
        outcome.not_fixed = {}
        result = outcome.result
        if result.error is not None:
            break
        for f in result.findings:
            key = (f.code, f.line, f.path)
            attempt = (f.code, f.path, f.edits)
            reason = _why_not(f, unsafe, fixable) or failed.get(attempt)
            if reason is not None:
                outcome.not_fixed[key] = reason
                continue
            try:
                candidate = apply_edits(outcome.text, f.edits)
            except EditError as exc:
                outcome.not_fixed[key] = failed[attempt] = f"its edit does not fit the file ({exc})"
                continue
            after = lint(candidate)
            problem = _proof_fails(f, result, after)
            if problem is not None:
                outcome.not_fixed[key] = failed[attempt] = problem
                continue
            outcome.text, outcome.result = candidate, after
            outcome.fixed.append(f)
            break
        else:
            break
    return outcome


def _why_not(f: Finding, unsafe: bool, fixable: Callable[[str], bool]) -> str | None:
    if not f.edits:
        return "no automatic fix: the fix is the user's decision (see `fix:`)"
    if not fixable(f.code):
        return f"{f.code} is kept out of fixing (--unfixable or `unfixable:`)"
    if any(_RECURSIVE.search(e.text) for e in f.edits if e.kind is not EditKind.APPEND_RUN):
        return "its fix would chown or chmod a tree in a layer of its own (a copy of the tree): apply it by hand"
    if safety(f) is Safety.UNSAFE and not unsafe:
        return "its fix changes more than owners and modes: apply it with --unsafe-fixes, or by hand"
    return None


def _serious(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def _proof_fails(f: Finding, before: FileResult, after: FileResult) -> str | None:
    """Why replaying the edited build does not prove the fix (None: it does)."""
    if after.error is not None:
        return f"the edited Dockerfile cannot be linted ({after.error})"
    if any(g.code == f.code and _same_place(g.path, f.path) for g in after.findings):
        return "replaying the edited build still finds it"
    old = [(g.code, g.path, g.severity) for g in _serious(before.findings)]
    new = [
        g
        for g in _serious(after.findings)
        if not any(g.code == c and g.severity is s and _same_place(g.path, p) for c, p, s in old)
    ]
    new += [g for g in after.findings if g.code == "VL009" and not any(h.code == "VL009" for h in before.findings)]
    if new:
        g = new[0]
        return f"replaying the edited build finds {g.code} at `{g.path}` (line {g.line}), not there before"
    return None


def _same_place(a: str, b: str) -> bool:
    """One finding merged at another top path of the same tree is the same finding."""
    return below(a, b) or below(b, a)  # (`below` includes the path itself)


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff of the file (headers `--- name` / `+++ name`, so `patch -p0` applies it where it was made)."""
    import difflib

    lines = difflib.unified_diff(split_lines_keepends(old), split_lines_keepends(new), name, name)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def fix_file(
    path: str, options: LintOptions, text: str | None, unsafe: bool, unfixable: frozenset[str], applied: bool = True
) -> FileResult:
    """Lint `path` (its `text` when read from stdin) and fix what can be proven fixed, with `original`, `fixed_text`,
    `fixed` and `not_fixed` filled. `applied` (--fix): the FileResult of the fixed text, its findings what remains.
    Not `applied` (--diff, nothing written): the FileResult of the text as it is, each finding marked fixable (in
    `fixed`) or with the reason it is not. Nothing is written here."""
    from .errors import InputError
    from .lint import lint_file

    if text is None:
        try:
            text = read_exact(path)
        except InputError:
            return lint_file(path, options)  # the same one-line error as without --fix
    outcome = fix_text(
        text,
        lambda t: lint_file(path, options, text=t),
        unsafe=unsafe,
        fixable=lambda code: code not in unfixable,
    )
    result = outcome.result
    fixed, not_fixed = outcome.fixed, outcome.not_fixed
    if not applied:
        # Report the file as it is: each fixed finding as the first lint found it (its line in the file on disk).
        result = outcome.before
        fixed = [g for g in result.findings if any(g.code == f.code and _same_place(g.path, f.path) for f in fixed)]
        not_fixed = {
            (g.code, g.line, g.path): reason
            for g in result.findings
            for (code, _, p), reason in outcome.not_fixed.items()
            if g.code == code and _same_place(g.path, p)
        }
    result.original, result.fixed_text = text, outcome.text
    result.fixed, result.not_fixed = fixed, not_fixed
    return result


def read_exact(path: str) -> str:
    """The Dockerfile's text exactly as stored (a BOM kept), for edits that must leave every other byte alone.
    Raises InputError as the linter does for a file it cannot read."""
    from .inputfile import read_bytes
    from .parse.reader import _MAX_BYTES, decode

    data = read_bytes(path, "Dockerfile", _MAX_BYTES)  # (a regular file, within the size limit)
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    return bom + decode(data, path)


def write_fixed(path: str, text: str, original: str) -> None:
    """Replace the Dockerfile with `text`, atomically: a temporary file in the same directory, the original's mode
    (and owner, where allowed) copied, then renamed over it. Refuses a symlink, a file changed since it was read, and
    a file or directory it cannot write: an InputError naming the file, and the file untouched."""
    import os
    import stat
    import tempfile

    from .errors import InputError

    if os.path.islink(path):
        raise InputError("is a symlink: --fix writes only the regular files it is given (fix its target)", path)
    try:
        if read_exact(path) != original:
            raise InputError("changed while venvlint was fixing it: not written", path)
        st = os.stat(path)
        if not os.access(path, os.W_OK):
            raise InputError("cannot write the fixes: permission denied", path)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".venvlint-fix-")
    except OSError as exc:
        raise InputError(f"cannot write the fixes: {exc.strerror or exc}", path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        with contextlib.suppress(PermissionError):  # not root: the file becomes the user's, as an editor's save
            os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(f"cannot write the fixes: {exc.strerror or exc}", path) from None


def prove_one(
    f: Finding,
    text: str,
    before: FileResult,
    lint: Callable[[str], FileResult],
    *,
    unsafe: bool = False,
    fixable: Callable[[str], bool] = lambda code: True,
) -> tuple[str | None, str]:
    """One finding's fix alone, held to the proof `fix_text` holds it to: (the fixed text, "") when replaying the
    edited build removes it without a new error or warning, else (None, the reason). `before` is `lint(text)`.
    The language server's quick fix: the same edit `--fix` keeps for that finding on its own."""
    reason = _why_not(f, unsafe, fixable)
    if reason is not None:
        return None, reason
    try:
        candidate = apply_edits(text, f.edits)
    except EditError as exc:
        return None, f"its edit does not fit the file ({exc})"
    problem = _proof_fails(f, before, lint(candidate))
    return (None, problem) if problem is not None else (candidate, "")
