"""Command-line options of Python tools, read the way their parsers read them (argparse, click, clap): `--name
value`, `--name=value`, `-n value`, `-nvalue`, repeated options, operands anywhere, and `--` ending the options.

Each tool declares which of its options take a value; an option not declared is taken as a flag, so declare every
value option a Dockerfile may use before an operand (or its value would be read as one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class Parsed:
    """Options by canonical name (the first spelling declared), each with every value given, in order; flags;
    operands (subcommands and positional arguments)."""

    flags: set[str] = field(default_factory=set)
    values: dict[str, list[str]] = field(default_factory=dict)
    operands: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)  # what follows the last operand read (`stop_after`)

    def has(self, *names: str) -> bool:
        return any(n in self.flags or n in self.values for n in names)

    def last(self, *names: str) -> str | None:
        """The last value of the first of `names` that was given (an option given twice: the later wins)."""
        for n in names:
            vals = self.values.get(n)
            if vals:
                return vals[-1]
        return None

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, ()))


class OptionSpec:
    """The value-taking options of one tool or subcommand, with their aliases (`("-t", "--target")`)."""

    def __init__(self, *with_value: str | tuple[str, ...], aliases: Iterable[tuple[str, ...]] = ()) -> None:
        self._canonical: dict[str, str] = {}
        self._takes_value: set[str] = set()
        for item in with_value:
            names = (item,) if isinstance(item, str) else item
            for n in names:
                self._canonical[n] = names[-1]
                self._takes_value.add(n)
        for names in aliases:  # flags with several spellings
            for n in names:
                self._canonical.setdefault(n, names[-1])

    def name(self, option: str) -> str:
        return self._canonical.get(option, option)

    def parse(self, args: Sequence[str], stop_after: int | None = None) -> Parsed:
        """With `stop_after` N, reading stops at the N-th operand: the words after it go to `rest` unread (a
        command a tool runs, with options of its own: `uv run python -m pip install --target x`)."""
        out = Parsed()
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                if stop_after is not None and len(out.operands) < stop_after and i + 1 < len(args):
                    out.operands.append(args[i + 1])
                    out.rest.extend(args[i + 2 :])
                else:
                    out.operands.extend(args[i + 1 :])
                break
            if a.startswith("--") and len(a) > 2:
                key, eq, value = a.partition("=")
                name = self.name(key)
                if eq:
                    out.values.setdefault(name, []).append(value)
                elif key in self._takes_value and i + 1 < len(args):
                    out.values.setdefault(name, []).append(args[i + 1])
                    i += 1
                else:
                    out.flags.add(name)
            elif a.startswith("-") and len(a) > 1:
                short = a[:2]
                if short in self._takes_value:
                    if len(a) > 2:
                        out.values.setdefault(self.name(short), []).append(a[2:].removeprefix("="))
                    elif i + 1 < len(args):
                        out.values.setdefault(self.name(short), []).append(args[i + 1])
                        i += 1
                elif len(a) == 2:
                    out.flags.add(self.name(a))
                else:  # a cluster of short flags, the last of which may take a value: -qU, -qr req.txt
                    for k, ch in enumerate(a[1:], 1):
                        opt = "-" + ch
                        if opt in self._takes_value:
                            rest = a[k + 1 :]
                            if rest:
                                out.values.setdefault(self.name(opt), []).append(rest)
                            elif i + 1 < len(args):
                                out.values.setdefault(self.name(opt), []).append(args[i + 1])
                                i += 1
                            break
                        out.flags.add(self.name(opt))
            else:
                out.operands.append(a)
                if stop_after is not None and len(out.operands) >= stop_after:
                    out.rest.extend(args[i + 1 :])
                    break
            i += 1
        return out
