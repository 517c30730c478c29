"""Rule documentation pages, generated from the rule modules (their docstring is the documentation).

`python -m venvlint.report.ruledoc docs/rules` rewrites the pages; a test fails when a page is missing or stale.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Protocol

from venvlint.rules._scenarios import SCENARIOS

HEADINGS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


class RuleLike(Protocol):
    """What a page needs of a rule (read-only, as `venvlint.rules.Rule` is frozen)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def doc(self) -> str: ...
    @property
    def scenarios(self) -> tuple[str, ...]: ...
    @property
    def references(self) -> tuple[str, ...]: ...
    @property
    def fix(self) -> str: ...
    @property
    def severity(self) -> Any: ...


def page_name(rule: RuleLike) -> str:
    return f"{rule.code}-{rule.name}.md"


def render(rule: RuleLike, page: bool = True) -> str:
    """The rule's documentation as Markdown: for its page under docs/rules (`page`, with the note that it is
    generated), or for `venvlint rule` (without it). The scenarios it was made from are named by what users reported,
    not by the catalogue's internal numbers."""
    missing = [h for h in HEADINGS if h not in rule.doc]
    if missing:
        raise ValueError(f"{rule.code}: the module docstring lacks {', '.join(missing)}")
    lines = [
        f"# {rule.code} {rule.name}",
        "",
        "| property | value |",
        "|---|---|",
        f"| code | `{rule.code}` |",
        f"| name | `{rule.name}` |",
        f"| default severity | {rule.severity.value} |",
        f"| triggered by | {rule.summary} |",
        f"| auto-fix | {_AUTOFIX[rule.fix]} |",
        f"| reported by users | {'; '.join(SCENARIOS[s][0] for s in rule.scenarios) or '-'} |",
        "",
        rule.doc.strip(),
        "",
        "## References",
        "",
    ]
    lines += [f"- {ref}" for ref in rule.references]
    lines += [
        f"- {SCENARIOS[s][0]}: " + ", ".join(f"[{t}]({_thread_url(t)})" for t in SCENARIOS[s][1])
        for s in rule.scenarios
    ]
    if page:
        lines += ["", "_Generated from `rules/` by `python -m venvlint.report.ruledoc docs/rules`; do not edit._"]
    lines.append("")
    return "\n".join(lines)


_AUTOFIX = {
    "safe": "yes, safe: `--fix` applies it once replaying the edited build proves it",
    "unsafe": "yes, unsafe (it changes more than owners and modes): `--fix --unsafe-fixes`",
    "manual": "no: the fix is the user's decision",
}


def _thread_url(thread: str) -> str:
    """`owner/repo#N` → its GitHub address (/issues/N redirects to a pull request of that number)."""
    repo, _, number = thread.partition("#")
    return f"https://github.com/{repo}/issues/{number}"


def write_all(directory: str) -> list[str]:
    from venvlint.rules import all_rules

    os.makedirs(directory, exist_ok=True)
    written = []
    for rule in all_rules():
        path = os.path.join(directory, page_name(rule))
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(render(rule))
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"):
        print(p)
