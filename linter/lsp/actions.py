"""Code actions for venvlint's diagnostics: the finding's proven fix, and a pragma that silences it there.

The buffer is linted again (a diagnostic's `data` names its finding: code, line, path), so an action is always
made from the text it edits. A fix is offered only when `--fix` would apply it to that finding on its own: its
edits replayed and proven (`fix.prove_one`), the config's `unfixable` honoured, an unsafe fix only when the server
was started with `--unsafe-fixes` (as the command line applies one only with `--unsafe-fixes`), then titled so. The
pragma action inserts `# venvlint ignore=CODE` on a line of its own above the instruction's first line, with its
indentation, and is offered only when the lint of the result no longer has the finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..lines import changed_runs, split_lines_keepends
from .documents import Setup, instruction_at, lint_text

if TYPE_CHECKING:
    from ..findings import Finding


def code_actions(
    uri: str,
    text: str,
    setup: Setup,
    diagnostics: Sequence[types.Diagnostic],
    unsafe: bool,
    units: Callable[[str], int],
    version: int | None = None,
) -> list[types.CodeAction]:
    """The quick fixes for `diagnostics` of the document `uri` whose text is `text`. `version`: the text's version,
    put in each edit (LSP 3.17 `documentChanges`) so that the client refuses an edit made for an older text; None
    for a client without `documentChanges`."""
    from ..edits import Safety
    from ..fix import prove_one, safety

    wanted = [(d, _key(d.data)) for d in diagnostics if d.source == "venvlint"]
    wanted = [(d, k) for d, k in wanted if k is not None]
    if not wanted:
        return []
    before = lint_text(setup, text)
    actions: list[types.CodeAction] = []
    for diagnostic, key in wanted:
        f = next((g for g in before.findings if (g.code, g.line, g.path) == key), None)
        if f is None:
            continue  # the buffer changed since the diagnostic: the next lint publishes the right ones
        fixed, _ = prove_one(
            f, text, before, lambda t: lint_text(setup, t), unsafe=unsafe, fixable=lambda c: c not in setup.unfixable
        )
        if fixed is not None:
            is_safe = safety(f) is Safety.SAFE
            title = f"Fix {f.code} (proven by replaying the edited build)"
            actions.append(
                types.CodeAction(
                    title=title if is_safe else f"{title} (unsafe: it changes more than owners and modes)",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=_workspace_edit(uri, version, line_edits(text, fixed, units)),
                    is_preferred=is_safe,
                )
            )
        pragma = _pragma_edit(text, setup, f)
        if pragma is not None:
            actions.append(
                types.CodeAction(
                    title=f"Ignore {f.code} here (`# venvlint ignore={f.code}` above the instruction)",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=_workspace_edit(uri, version, [pragma]),
                )
            )
    return actions


def _workspace_edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    if version is None:
        return types.WorkspaceEdit(changes={uri: edits})
    document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])


def _key(data: Any) -> tuple[str, int, str] | None:
    if not isinstance(data, dict):
        return None
    code, line, path = data.get("code"), data.get("line"), data.get("path")
    if isinstance(code, str) and isinstance(line, int) and isinstance(path, str):
        return code, line, path
    return None


def _pragma_edit(text: str, setup: Setup, f: Finding) -> types.TextEdit | None:
    """`# venvlint ignore=CODE` above the first line of the finding's instruction, when that silences it."""
    ins = instruction_at(text, setup.path, f.line)
    if ins is None:
        return None
    lines = split_lines_keepends(text)
    first = lines[ins.line - 1]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    eol = "\r\n" if first.endswith("\r\n") else "\n"
    new_line = f"{indent}# venvlint ignore={f.code}{eol}"
    candidate = "".join([*lines[: ins.line - 1], new_line, *lines[ins.line - 1 :]])
    after = lint_text(setup, candidate)
    if after.error is not None or any(g.code == f.code and g.path == f.path for g in after.findings):
        return None
    return types.TextEdit(types.Range(types.Position(ins.line - 1, 0), types.Position(ins.line - 1, 0)), new_line)


def line_edits(old: str, new: str, units: Callable[[str], int]) -> list[types.TextEdit]:
    """The TextEdits that turn `old` into `new`: one per run of changed lines (`lines.changed_runs`), each relative to
    `old` as LSP 3.17 wants the edits of one document, in the client's position units."""
    a = split_lines_keepends(old)

    def position(index: int) -> types.Position:
        if index < len(a) or not a or a[-1].endswith(("\n", "\r")):
            return types.Position(index, 0)
        return types.Position(len(a) - 1, units(a[-1]))  # the end of a last line without a line break

    return [
        types.TextEdit(types.Range(position(i1), position(i2)), text)
        for i1, i2, text in changed_runs(a, split_lines_keepends(new))
    ]
