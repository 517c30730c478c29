"""Hover: `venvlint explain` for the path under the cursor, at that line.

The build is replayed up to the end of the hovered instruction (the text cut there, so that its stage is the last
one and the state after that instruction is the final state), with the options the command line lints the file
with, and `explain.explain_simulated` explains the path: its owner, group, mode and kind, and each change with its
cause line, as `venvlint explain` prints them, in Markdown.

What is a path: a word under the cursor that is absolute (`/opt/venv`, also after `=` as in `ENV VENV=/opt/venv`,
`--mount=...,target=/root/.cache`, or between `:` as in `PATH=/opt/venv/bin:$PATH`); WORKDIR's argument and the
destination of COPY/ADD also when relative (against the WORKDIR in force). On the keyword of a WORKDIR, COPY or ADD
the hover explains its directory or destination; on any other word it lists the findings of that line, if any. A
source of `COPY --from=STAGE` is explained at the end of that stage (relative to its root, as BuildKit reads it).
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from ..explain import final_text, state_text
from ..lines import split_lines, split_lines_keepends
from .diagnostics import message
from .documents import Setup, instruction_at, lint_text

if TYPE_CHECKING:
    from ..parse.model import Instruction

# What ends a word in an instruction: blanks, quotes, JSON brackets and commas, and `:` between PATH entries.
_WORD = re.compile(r"[^\s\"'\[\],:]+")


def hover_markdown(text: str, setup: Setup, line: int, column: int) -> str | None:
    """The hover for 0-based `line` and character index `column` of `text`, None when there is nothing to say."""
    ins = instruction_at(text, setup.path, line + 1)
    if ins is None:
        return None
    lines = split_lines(text)
    current = lines[line] if line < len(lines) else ""
    word = _word_at(current, column)
    keyword = line + 1 == ins.line and word is not None and word.upper() == ins.cmd
    # The destination when the cursor is on the last occurrence of the last argument (`COPY --from=b /x /x`).
    last = current.rfind(word) if word else -1
    at_destination = bool(ins.args) and word == ins.args[-1].strip("\"'") and last <= column <= last + len(word or "")
    source = None if keyword or at_destination else _copied_from(word, ins)
    if source is not None:  # a source of `COPY --from=STAGE`: that stage's path, as the COPY reads it
        stage, source_path = source
        doc = _explain(text, setup, ins, source_path, stage)
        if doc is None:  # an image, not a stage of this build: nothing modelled to explain
            return _findings_at(text, setup, ins)
        return render(doc, f"in stage `{stage}` as line {ins.line} copies from it")
    path = None if keyword else _path_in(word, ins)
    if path is None and (keyword or word is None):
        path = _instruction_path(ins)
    if path is None:
        return _findings_at(text, setup, ins)
    doc = _explain(text, setup, ins, path)
    return render(doc, f"after line {ins.end_line}") if doc is not None else None


def _word_at(line: str, column: int) -> str | None:
    for m in _WORD.finditer(line):
        if m.start() <= column <= m.end():
            return m.group()
    return None


def _path_in(word: str | None, ins: Instruction) -> str | None:
    if word is None:
        return None
    value = word.rsplit("=", 1)[-1]
    if value.startswith("/"):
        return value
    if value and not value.startswith(("$", "-")) and value == _relative_target(ins):
        return value
    return None


def _copied_from(word: str | None, ins: Instruction) -> tuple[str, str] | None:
    """(stage, absolute path) for a source word of `COPY --from=STAGE`/`ADD --from`: relative to that stage's
    root, as BuildKit reads it."""
    stage = ins.flag("from") if ins.cmd in ("COPY", "ADD") else None
    if not stage or word is None or len(ins.args) < 2:
        return None
    sources = [a.strip("\"'") for a in ins.args[:-1]]
    if word not in sources:
        return None
    return stage, posixpath.join("/", word)


def _relative_target(ins: Instruction) -> str | None:
    """WORKDIR's argument or a COPY/ADD destination (the words that may be relative to the WORKDIR)."""
    if ins.cmd == "WORKDIR" and ins.args:
        return ins.args[0]
    if ins.cmd in ("COPY", "ADD") and len(ins.args) >= 2 and not ins.heredocs:
        return ins.args[-1]
    return None


def _instruction_path(ins: Instruction) -> str | None:
    target = _relative_target(ins)
    return target.strip("\"'") if target else None


def _explain(text: str, setup: Setup, ins: Instruction, path: str, stage: str | None = None) -> dict[str, Any] | None:
    """`explain` of `path` after `ins`, in its stage or, with `stage`, at the end of that earlier stage (None when
    `stage` names no stage of the build: an image)."""
    from dataclasses import replace

    from ..explain import explain_simulated
    from ..pipeline import build_with_options

    cut = "".join(split_lines_keepends(text)[: ins.end_line])
    # The hovered instruction's stage is the last one of the cut text.
    sim = build_with_options(setup.path, setup.options, cut, last_stage=True)
    if stage is not None:
        state = sim.stage_named(stage)
        index = next((i for i, st in sim.states.items() if st is state), None)
        if index is None:
            return None
        return explain_simulated(replace(sim, build=replace(sim.build, target=index)), [path])
    if not path.startswith("/"):
        base = sim.final.workdir
        path = base if ins.cmd == "WORKDIR" else posixpath.join(base, path)
    return explain_simulated(sim, [path])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(doc: dict[str, Any], where: str) -> str:
    """The explanation as `venvlint explain` prints it (report/explain_text.py), in Markdown."""
    out = []
    for p in doc["paths"]:
        final = final_text(p)
        resolved = f" (resolves to `{p['resolved']}`)" if p.get("resolved") else ""
        out.append(f"**`{p['path']}`** → `{final}`{resolved}")
        out.append("")
        out.append(f"{where}: stage `{doc['stage']}`, USER `{doc['user']}`, builder `{doc['builder']}`")
        out.append("")
        out.append("| line | instruction | owner:group mode | what happened |")
        out.append("|---:|---|---|---|")
        for h in p["history"]:
            out.append(f"| {h['line'] or '-'} | `{_cell(h['instruction'])}` | {state_text(h)} | {_cell(h['note'])} |")
        if not p["history"]:
            out.append("| - | (no instruction changed it) | | |")
    if doc.get("build_fails"):
        f = doc["build_fails"]
        out += ["", f"**The build fails** at line {f['line']} (stage {f['stage']}): {f['message']}"]
    if doc["assumptions"]:
        out += ["", "Assumptions (what venvlint could not know):"]
        out += [f"- line {a['line']}: {a['message']}" for a in doc["assumptions"]]
    return "\n".join(out)


def _findings_at(text: str, setup: Setup, ins: Instruction) -> str | None:
    result = lint_text(setup, text)
    here = [f for f in result.findings if ins.line <= f.line <= ins.end_line]
    if not here:
        return None
    return "\n\n".join(f"**{f.code}** {f.name} ({f.severity.value})\n\n{message(f)}" for f in here)
