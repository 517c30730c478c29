"""Variable expansion in Dockerfile instruction arguments, as BuildKit's shell lexer (frontend/dockerfile/shell) does.

Handles `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, the pattern
operators `#`, `##`, `%`, `%%` (glob patterns, as in dockerfile syntax 1.6+), single and double quotes (removed) and
the escape character. Unset variables expand to the empty string, as in BuildKit.

A value venvlint cannot know (an ENV variable an unknown base image may define) is carried through expansion as a
marker, `unknown_value(NAME)`: any word that contains one is unknown, and `unknown_names` says which variables made it
so. The marker is a NUL byte, which no Dockerfile may contain.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping

from ..errors import InputError


class ExpansionError(InputError):
    pass


# Bounds no real Dockerfile comes near, so that no input can exhaust the stack, the memory or the time:
MAX_NESTING = 64  # ${a:-${b:-...}} levels
MAX_LENGTH = 1024 * 1024  # characters one expanded word may grow to (ENV A=$A$A doubles at each line)
MAX_PATTERN_SUBJECT = 4096  # characters of a value that ${v#pattern} and friends are evaluated on


UNKNOWN_MARK = "\x00"
_UNKNOWN = re.compile("\x00([^\x00]*)\x00")


def unknown_value(name: str) -> str:
    """The stand-in for the value of variable `name` that venvlint cannot know."""
    return f"{UNKNOWN_MARK}{name}{UNKNOWN_MARK}"


def unknown_names(text: str) -> list[str]:
    """The variables whose unknown values `text` contains (empty when it is fully known)."""
    if UNKNOWN_MARK not in text:
        return []
    return list(dict.fromkeys(_UNKNOWN.findall(text)))


class OpenVars(dict[str, str]):
    """Variables of an environment that is not all known (an image without a complete profile, or after a script
    venvlint could not see was sourced): a name not set here may be set there, so it reads as an unknown value
    (`unknown_value`), never as unset."""

    def __missing__(self, key: str) -> str:
        return unknown_value(key)

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[key]

    def __contains__(self, key: object) -> bool:
        return True

    def copy(self) -> OpenVars:
        return OpenVars(self)


# Variables that steer where Python tools write: a run that sees an unknown value in one is not judged.
TOOL_VARIABLES = ("HOME", "VIRTUAL_ENV", "PYTHONUSERBASE", "XDG_CACHE_HOME", "TMPDIR", "PYTHON_VERSION")
TOOL_PREFIXES = ("UV_", "PIP_", "POETRY_", "PIPENV_", "PIPX_", "CONDA_", "MAMBA_", "PDM_", "HATCH_")


def unknown_tool_variables(env: Mapping[str, str]) -> list[str]:
    """The variables steering Python tools that `env` sets to a value venvlint does not know (a marker). Variables
    an open environment (`OpenVars`) may set without saying are not among them: see `ToolRun.env_open`."""
    items = dict.items(env) if isinstance(env, dict) else env.items()  # the variables set, even in OpenVars
    return sorted(k for k, v in items if (k in TOOL_VARIABLES or k.startswith(TOOL_PREFIXES)) and UNKNOWN_MARK in v)


def shown(text: str) -> str:
    """`text` for a message, with each unknown value written as `$NAME`."""
    return _UNKNOWN.sub(lambda m: f"${m.group(1)}", text) if UNKNOWN_MARK in text else text


def _is_name_char(c: str) -> bool:
    return c.isalnum() or c == "_"


class _Lexer:
    def __init__(self, word: str, env: Mapping[str, str], escape: str) -> None:
        self.s = word
        self.i = 0
        self.env = env
        self.escape = escape
        self.used: set[str] = set()
        self.depth = 0
        self.grown = 0  # characters added by expansions so far

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def next(self) -> str:
        c = self.peek()
        self.i += 1
        return c

    def word(self, stop: str = "", quote_removal: bool = True) -> str:
        out: list[str] = []
        while self.i < len(self.s):
            c = self.peek()
            if stop and c in stop:
                break
            if c == self.escape:
                self.i += 1
                if self.i < len(self.s):
                    out.append(self.next())
                else:
                    out.append(c)
            elif c == "'" and quote_removal:
                self.i += 1
                end = self.s.find("'", self.i)
                if end < 0:
                    out.append(self.s[self.i :])
                    self.i = len(self.s)
                else:
                    out.append(self.s[self.i : end])
                    self.i = end + 1
            elif c == '"' and quote_removal:
                self.i += 1
                out.append(self.double_quoted())
            elif c == "$":
                self.i += 1
                out.append(self.dollar())
            else:
                out.append(c)
                self.i += 1
        return "".join(out)

    def double_quoted(self) -> str:
        out: list[str] = []
        while self.i < len(self.s):
            c = self.next()
            if c == '"':
                return "".join(out)
            if c == self.escape:
                n = self.peek()
                if n in ('"', "$", self.escape):
                    out.append(self.next())
                else:
                    out.append(c)
            elif c == "$":
                out.append(self.dollar())
            else:
                out.append(c)
        return "".join(out)

    def lookup(self, name: str) -> str | None:
        self.used.add(name)
        value = self.env.get(name)
        if value is not None:
            self.grown += len(value)
            if self.grown > MAX_LENGTH:
                raise ExpansionError(
                    f"expanding ${name} makes a value of over {MAX_LENGTH // (1024 * 1024)} MiB "
                    "(a variable that doubles itself?): venvlint does not follow it further"
                )
        return value

    def dollar(self) -> str:
        c = self.peek()
        if c == "{":
            self.i += 1
            return self.braced()
        if c and (c.isalpha() or c == "_"):
            start = self.i
            while self.i < len(self.s) and _is_name_char(self.s[self.i]):
                self.i += 1
            return self.lookup(self.s[start : self.i]) or ""
        if c and c.isdigit():
            # Positional parameters do not exist in a Dockerfile: BuildKit expands them to "".
            self.i += 1
            return ""
        return "$"

    def braced(self) -> str:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpansionError(f"variable substitutions nested more than {MAX_NESTING} deep")
        try:
            return self._braced()
        finally:
            self.depth -= 1

    def _braced(self) -> str:
        start = self.i
        while self.i < len(self.s) and _is_name_char(self.s[self.i]):
            self.i += 1
        name = self.s[start : self.i]
        c = self.peek()
        if c == "}":
            self.i += 1
            return self.lookup(name) or ""
        value = self.lookup(name)
        op = self.next()
        if op == ":" or (op in "#%" and self.peek() == op):
            op += self.next()
        arg = self.word(stop="}")
        if self.peek() == "}":
            self.i += 1
        if value is not None and UNKNOWN_MARK in value:
            # Set or not, empty or not, what a pattern removes from it: nothing of that is known.
            return unknown_value(name)
        if op in (":-", "-"):
            unset = value is None or (op == ":-" and value == "")
            return arg if unset else value or ""
        if op in (":+", "+"):
            isset = value is not None and (op == "+" or value != "")
            return arg if isset else ""
        if op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                raise ExpansionError(f"{name}: {arg or 'is not allowed to be unset'}")
            return value
        v = value or ""
        if op in ("#", "##", "%", "%%") and len(v) > MAX_PATTERN_SUBJECT:
            raise ExpansionError(
                f"${{{name}{op}...}} on a value of {len(v)} characters: venvlint evaluates pattern removal on "
                f"values up to {MAX_PATTERN_SUBJECT} characters"
            )
        if op in ("#", "##"):
            cuts = range(len(v) + 1) if op == "#" else range(len(v), -1, -1)
            for k in cuts:
                if fnmatch.fnmatchcase(v[:k], arg):
                    return v[k:]
            return v
        if op in ("%", "%%"):
            cuts = range(len(v), -1, -1) if op == "%" else range(len(v) + 1)
            for k in cuts:
                if fnmatch.fnmatchcase(v[k:], arg):
                    return v[:k]
            return v
        raise ExpansionError(f"unsupported modifier ({op}) in substitution ${{{name}{op}...}}")


def expand(word: str, env: Mapping[str, str], escape: str = "\\") -> str:
    """Expand one word (quotes removed)."""
    if "$" not in word and "'" not in word and '"' not in word and escape not in word:
        return word
    return _Lexer(word, env, escape).word()


def parse_key_values(
    words: list[str] | tuple[str, ...], raw: str, env: Mapping[str, str], escape: str = "\\"
) -> list[tuple[str, str]]:
    """ENV/LABEL/ARG pairs: `K=V K2="v 2"` or the legacy `K value with spaces` form."""
    if not words:
        return []
    if "=" not in words[0]:
        key = words[0]
        rest = raw.strip()[len(key) :].strip()
        return [(key, expand(rest, env, escape))]
    # Every value sees the environment from *before* the instruction: `ENV a=1 b=$a` gives b the old a (BuildKit docs).
    pairs: list[tuple[str, str]] = []
    for w in words:
        key, sep, value = w.partition("=")
        pairs.append((expand(key, env, escape), expand(value, env, escape) if sep else ""))
    return pairs
