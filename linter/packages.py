"""Which packages each install of the build puts into which environment, read once for every consumer.

A tool run (`ToolRun`, its `Invocation` read by `tools/`) names packages on its command line, in requirement files
(`-r requirements.txt`, `uv pip sync`), or through its project (`uv sync` reads `uv.lock`, `poetry install` reads
`poetry.lock`, else `pyproject.toml`), or in a conda environment file. The files are read from the model
filesystem as the tool found them: COPY keeps the text of these files (`simulate/copy.py`, `wants_content`), a
heredoc or `echo >` its own. A lock file lists everything installed (`closure`); the command line, requirement
files and `pyproject.toml` list what was asked for, not what it brings with it. What could not be read (a file the
model has no text of) is in `unread`: a consumer treats the record as incomplete there, never as "not installed".

The readers are line-based on purpose: the lint path imports no TOML or YAML parser (3.10 has no `tomllib`), and
only names are needed, not versions or markers.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from .model.fs import FileSystem, normpath
from .simulate.state import StageState, ToolRun
from .tools.model import EnvTarget, Role, Scheme, Tool, distribution_name

TOML_LOCKS = ("uv.lock", "poetry.lock", "pdm.lock")  # `[[package]]` tables, each with its `name`
MAX_INCLUDE_DEPTH = 5  # `-r` nesting followed; deeper is said as unread
_LOCK_NAME = re.compile(r'^\[\[package\]\]\s*\n\s*name\s*=\s*"([^"]+)"', re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=")
# conda package names that differ from the distribution they install
CONDA_NAMES = {"pytorch": "torch", "py-xgboost": "xgboost", "pytorch-cpu": "torch"}


class Installed(NamedTuple):
    """What one tool run installed, where.

    `env`: the environment or scheme it installed into (`EnvTarget`; `path` None for the interpreter's own
    site-packages, or where it is not known). `names`: the normalized distribution names (`.dist-info` spelling:
    `sentence_transformers`). `sources`: where the names were read (`the command line`, `/app/uv.lock`, ...).
    `closure`: the names include every package the run installed (a lock file), not only those asked for.
    `unread`: the sources whose content is not known."""

    stage: str
    line: int
    tool: Tool
    env: EnvTarget | None
    names: frozenset[str]
    sources: tuple[str, ...]
    closure: bool
    unread: tuple[str, ...] = ()

    @property
    def env_path(self) -> str | None:
        return self.env.path if self.env is not None else None


def installed_packages(states: Iterable[StageState]) -> tuple[Installed, ...]:
    """The installs of the given stages (those the target needs, in build order)."""
    out: list[Installed] = []
    for st in states:
        for run in st.record.tool_runs:
            record = read_run(run, run.fs or st.fs)
            if record is not None:
                out.append(record)
    return tuple(out)


def read_run(run: ToolRun, fs: FileSystem) -> Installed | None:
    """What `run` installs, read from its invocation and the files it reads on `fs`; None for a run that installs
    nothing."""
    inv = run.invocation
    env = inv.env
    # conda's environment: a prefix, or an entry (the environment's name) in an envs directory
    conda_env = next(
        (posixpath.join(w.path, w.entry) if w.entry else w.path for w in inv.writes if w.role is Role.CONDA_ENV), None
    )
    if inv.tool in (Tool.CONDA, Tool.MAMBA, Tool.MICROMAMBA) and conda_env is not None:
        env = EnvTarget(Scheme.ENV, conda_env, "the conda environment")
    if not inv.installs and env is None:
        return None
    if not inv.installs and inv.tool not in (Tool.CONDA, Tool.MAMBA, Tool.MICROMAMBA):
        return None
    names: set[str] = set(inv.distributions)
    sources = ["the command line"] if inv.distributions else []
    unread: list[str] = []
    closure = False
    for spec in inv.packages:  # `pip install .`, `pip install -e /app`: the project's pyproject.toml
        where = spec.strip("'\"").split("[")[0]
        if where.startswith((".", "/")) and not where.endswith((".whl", ".tar.gz", ".zip")):
            _read_into(names, sources, unread, fs, posixpath.join(normpath(where, run.cwd), "pyproject.toml"))
    for req in inv.requirements:
        _read_into(names, sources, unread, fs, normpath(req, run.cwd))
    if inv.project is not None:
        lock = inv.project.lock_file
        text = _text(fs, lock) if posixpath.basename(lock) in TOML_LOCKS else None
        if text is not None:
            names.update(lock_names(text))
            sources.append(lock)
            closure = True
        else:
            _read_into(names, sources, unread, fs, posixpath.join(inv.project.directory, "pyproject.toml"))
    if not names and not unread and not sources:
        return None
    return Installed(run.stage, run.line, inv.tool, env, frozenset(names), tuple(dict.fromkeys(sources)), closure,
                     tuple(dict.fromkeys(unread)))  # fmt: skip


def _text(fs: FileSystem, path: str) -> str | None:
    node = fs.get(fs.resolve(path))
    return node.tag("content") if node is not None else None


def _read_into(names: set[str], sources: list[str], unread: list[str], fs: FileSystem, path: str) -> None:
    text = _text(fs, path)
    if text is None:
        unread.append(path)
        return
    sources.append(path)
    base = posixpath.basename(path)
    if base.endswith(".lock"):
        names.update(lock_names(text))
    elif base == "pyproject.toml":
        names.update(pyproject_names(text))
    elif base.endswith((".yml", ".yaml")):
        names.update(environment_file_names(text))
    else:
        names.update(_requirements(fs, path, text, sources, unread, 0))


def _requirements(
    fs: FileSystem, path: str, text: str, sources: list[str], unread: list[str], depth: int
) -> Iterator[str]:
    """The names of a requirements file, following `-r`/`--requirement` includes (relative to the file)."""
    yield from requirement_names(text)
    for include in requirement_includes(text):
        inc = normpath(include, posixpath.dirname(path))
        sub = _text(fs, inc) if depth < MAX_INCLUDE_DEPTH else None
        if sub is None:
            unread.append(inc)
            continue
        sources.append(inc)
        yield from _requirements(fs, inc, sub, sources, unread, depth + 1)


def strip_comment(line: str) -> str:
    """`line` without its comment: a `#` at its start or after whitespace, to the end (pip's and TOML's reading of
    the lines venvlint reads; a `#` inside a URL fragment, `x.whl#sha256=...`, stays)."""
    at = line.find("#")
    while at >= 0:
        if at == 0 or line[at - 1].isspace():
            return line[:at]
        at = line.find("#", at + 1)
    return line


def _table_name(line: str) -> str | None:
    """The name of a TOML table header (`[project]`, `[[tool.x]]`), else None."""
    text = strip_comment(line).strip()
    if not text.startswith("[") or not text.endswith("]"):
        return None
    return text.strip("[]").strip() or None


def _lines(text: str) -> Iterator[str]:
    """Logical lines of a requirements file: comments cut (` #`), backslash continuations joined."""
    pending = ""
    for raw in text.splitlines():
        line = strip_comment(raw)
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        yield (pending + line).strip()
        pending = ""
    if pending.strip():
        yield pending.strip()


def requirement_names(text: str) -> Iterator[str]:
    """The distribution names a requirements file asks for (options, paths and URLs left out; `name @ url` kept)."""
    for line in _lines(text):
        if not line or line.startswith("-"):
            continue
        spec = line.split(";")[0].strip()
        name = distribution_name(spec.split(" @", 1)[0].strip() if " @" in spec else spec)  # `name @ url`
        if name:
            yield name


def requirement_includes(text: str) -> Iterator[str]:
    """The files a requirements file includes with `-r`/`--requirement` (constraints, `-c`, install nothing)."""
    for line in _lines(text):
        m = re.match(r"^(?:-r|--requirement)(?:\s*=\s*|\s+|(?=\S))(\S+)", line)
        if m:
            yield m.group(1)


def lock_names(text: str) -> Iterator[str]:
    """Every package of a `uv.lock` or `poetry.lock` (`[[package]]` followed by its `name`)."""
    for m in _LOCK_NAME.finditer(text):
        name = distribution_name(m.group(1))
        if name:
            yield name


def pyproject_names(text: str) -> Iterator[str]:
    """The runtime dependencies of a `pyproject.toml`: `[project] dependencies` (PEP 621) and the keys of
    `[tool.poetry.dependencies]` (without `python`). Extras and groups are not installed by default: left out."""
    table = ""
    in_array = False
    for raw in text.splitlines():
        line = strip_comment(raw).rstrip()
        if in_array:
            for q in _QUOTED.findall(line):
                if name := distribution_name(q):
                    yield name
            if "]" in line:
                in_array = False
            continue
        name = _table_name(line)
        if name is not None:
            table = name
            continue
        key = _KEY.match(line)
        if key is None:
            continue
        if table == "project" and key.group(1) == "dependencies":
            rest = line[key.end() :]
            for q in _QUOTED.findall(rest):
                if name := distribution_name(q):
                    yield name
            in_array = "[" in rest and "]" not in rest
        elif (
            table == "tool.poetry.dependencies"
            and key.group(1).lower() != "python"
            and (name := distribution_name(key.group(1)))
        ):
            yield name


def environment_file_names(text: str) -> Iterator[str]:
    """The packages of a conda environment file: the `dependencies:` list (conda names, mapped to the distribution
    where they differ) and its `pip:` section, read by indentation."""
    in_deps = False
    for raw in text.splitlines():
        line = strip_comment(raw).rstrip()
        if not line.strip():
            continue
        if not line[0].isspace() and not line.startswith("-"):
            in_deps = line.startswith("dependencies:")
            continue
        if not in_deps:
            continue
        item = line.strip()
        if not item.startswith("-") or item.endswith(":"):  # `- pip:` opens the pip list, read like the others
            continue
        word = item[1:].strip().strip("'\"")
        if not word:
            continue
        if "::" in word:  # `conda-forge::numpy`
            word = word.split("::", 1)[1]
        base = re.split(r"[=<>!~ ]", word, maxsplit=1)[0]
        name = distribution_name(CONDA_NAMES.get(base.lower(), base))
        if name:
            yield name
