"""The lint command's options, declared once.

`LINT_OPTIONS` is the only place an option of `venvlint lint` is written: the fast argument reader (cli.py), the
typer command (commands.py, which builds its signature from this table and so owns `--help` and usage errors),
and the usage block of README.md (`python -m venvlint.options --write README.md`; a test fails when it is stale)
all read it. Each option fills the `LintRequest` field of the same name.

This module is on the lint path: it imports nothing beyond the standard library.
"""

from __future__ import annotations

import enum
import sys
from typing import NamedTuple


class Kind(enum.Enum):
    """How an option takes its value."""

    FLAG = "flag"  # no value: True when given
    VALUE = "value"  # one value; a second occurrence replaces the first
    REPEATED = "repeated"  # one value per occurrence, collected in order into a list
    COUNT = "count"  # one whole number (>= 1 is checked by the lint command, for both readers)


class LintOption(NamedTuple):
    """One option of `venvlint lint`.

    `long` is the `--name`, `short` a `-x` alias or None, `field` the LintRequest attribute it fills, `metavar`
    the placeholder of its value in help and docs ("" for a flag), `help` one sentence for `--help` and README,
    `hidden` keeps it out of both (internal plumbing).
    """

    long: str
    field: str
    kind: Kind
    help: str
    metavar: str = ""
    short: str | None = None
    hidden: bool = False

    @property
    def takes_value(self) -> bool:
        return self.kind is not Kind.FLAG

    @property
    def names(self) -> tuple[str, ...]:
        """The long name, then the short one if any."""
        return (self.long, self.short) if self.short else (self.long,)


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "compact", "checkstyle")

LINT_OPTIONS: tuple[LintOption, ...] = (
    LintOption("--context", "context", Kind.VALUE, "build context (default: the Dockerfile's folder); it must exist",
               "DIR", "-c"),
    LintOption("--no-context", "no_context", Kind.FLAG,
               "lint without a build context (partial checkouts, stdin): what COPY copies from it is unknown"),
    LintOption("--strict-context", "strict_context", Kind.FLAG,
               "a COPY source missing from the context fails the build (default: an assumption)"),
    LintOption("--build-arg", "build_arg", Kind.REPEATED, "a build argument, as for `docker build`; repeatable",
               "NAME=VALUE"),
    LintOption("--build-arg-file", "build_arg_file", Kind.REPEATED,
               "a file of KEY=VALUE lines, as for `podman build`; repeatable", "FILE"),
    LintOption("--target", "target", Kind.VALUE, "the stage to build (default: the last)", "STAGE"),
    LintOption("--builder", "builder", Kind.VALUE,
               "buildkit (default), buildah or classic: whose semantics to use where builders disagree", "NAME"),
    LintOption("--runtime-user", "runtime_user", Kind.REPEATED,
               "an identity the image runs as: 1001:0, a name, or `arbitrary` (OpenShift); repeatable", "SPEC"),
    LintOption("--profiles", "profiles", Kind.REPEATED,
               "extra or overriding base-image profiles (YAML, as `venvlint profile` writes); repeatable", "FILE"),
    LintOption("--offline", "offline", Kind.FLAG,
               "never ask a registry: base images without a profile come from the cache or stay unknown"),
    LintOption("--platform", "platform", Kind.VALUE,
               "the os/arch (or os/arch/variant) of multi-platform base images (default linux/amd64; FROM --platform wins)",
               "PLATFORM"),
    LintOption("--format", "fmt", Kind.VALUE, f"{', '.join(FORMATS)} (any letter case); repeatable, each with its own -o", "FORMAT",
               "-f"),
    LintOption("--output", "output", Kind.VALUE,
               "write the --format just before it to FILE (`-f sarif -o out.sarif -f github`)", "FILE", "-o"),
    LintOption("--emit", "emit", Kind.REPEATED, "FORMAT=FILE pairs (what -f/-o become)", "PAIR", hidden=True),
    LintOption("--failure-threshold", "failure_threshold", Kind.VALUE,
               "exit 1 when a finding is at or above error, warning (default) or info (hadolint's style, ignore and "
               "none: info; never fail: --no-fail)", "SEVERITY"),
    LintOption("--error", "error", Kind.REPEATED, "report this rule (code or name) as an error; repeatable", "RULE"),
    LintOption("--warning", "warning", Kind.REPEATED, "report this rule as a warning; repeatable", "RULE"),
    LintOption("--info", "info", Kind.REPEATED, "report this rule as info; repeatable", "RULE"),
    LintOption("--ignore", "ignore", Kind.REPEATED,
               "skip a rule by code (VL001) or name (dir-reset-by-copy); repeatable, or comma-separated", "RULE"),
    LintOption("--exclude", "exclude", Kind.REPEATED,
               "leave out Dockerfiles a directory argument finds that match this gitignore-style pattern (relative to"
               " the working directory); files named on the command line are always linted; repeatable", "PATTERN"),
    LintOption("--no-pragmas", "no_pragmas", Kind.FLAG, "ignore `# venvlint ignore=` comments"),
    LintOption("--config", "config", Kind.VALUE, "use this config file instead of discovering .venvlint.yaml",
               "FILE"),
    LintOption("--show-config", "show_config", Kind.FLAG,
               "print the config files and the settings each Dockerfile would be linted with, and exit"),
    LintOption("--stdin-filename", "stdin_filename", Kind.VALUE,
               "the name of the Dockerfile read from `-`: used in reports, for config lookup and the default context",
               "NAME"),
    LintOption("--fix", "fix", Kind.FLAG,
               "apply the fixes that replaying the edited build proves, in place (`-`: print the fixed Dockerfile)"),
    LintOption("--diff", "diff", Kind.FLAG, "print the proven fixes as a unified diff (`patch -p0`); write nothing"),
    LintOption("--unsafe-fixes", "unsafe_fixes", Kind.FLAG,
               "with --fix or --diff, also apply fixes that change more than owners and modes"),
    LintOption("--unfixable", "unfixable", Kind.REPEATED, "never fix this rule automatically; repeatable", "RULE"),
    LintOption("--quiet", "quiet", Kind.FLAG, "leave out the assumption lines of the text report", short="-q"),
    LintOption("--no-fail", "no_fail", Kind.FLAG, "exit 0 even when there are findings"),
    LintOption("--color", "color", Kind.VALUE,
               "auto (default: colour on a terminal, NO_COLOR honoured), always or never", "WHEN"),
    LintOption("--jobs", "jobs", Kind.COUNT,
               "lint files in N processes (default: the CPU count; the output order never changes)", "N", "-j"),
)  # fmt: skip

BY_NAME: dict[str, LintOption] = {name: o for o in LINT_OPTIONS for name in o.names}


USAGE = "venvlint [OPTIONS] DOCKERFILE|DIR|- ..."
ARGUMENT_HELP = "Dockerfiles to lint: a file, a directory (the Dockerfiles below it) or `-` (standard input)"


def option_lines() -> list[str]:
    """One line per visible option, help aligned: README's usage block and `venvlint --help` show these."""
    rows = []
    for o in LINT_OPTIONS:
        if o.hidden:
            continue
        rows.append((", ".join(f"{n} {o.metavar}" if o.metavar else n for n in o.names), o.help))
    width = max(len(r[0]) for r in rows) + 2
    return [f"  {left:<{width}}{text}" for left, text in rows]


def usage_block() -> str:
    """The README's usage block for the lint command."""
    lines = [f"{USAGE}   (`-` reads standard input; a directory means the Dockerfiles below it)", *option_lines()]
    return "\n".join(lines) + "\n"


BEGIN, END = (
    "<!-- lint-options: generated by `python -m venvlint.options --write README.md` -->",
    "<!-- /lint-options -->",
)


def replace_block(text: str) -> str:
    """`text` (README.md) with the generated block between BEGIN and END replaced by the current one.

    Raises ValueError when the markers are missing."""
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are missing")
    return f"{head}{BEGIN}\n```\n{usage_block()}```\n{END}{tail}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"] and len(sys.argv) == 3:
        with open(sys.argv[2], encoding="utf-8") as fh:
            old = fh.read()
        with open(sys.argv[2], "w", encoding="utf-8") as fh:
            fh.write(replace_block(old))
    else:
        sys.stdout.write(usage_block())
