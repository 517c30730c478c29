"""What one Python tool invocation is, read once from its command line and environment (`tools.read`).

The simulator replays an invocation's effects on the model filesystem from this record, and the write-need analysis
(`intents.py`) decides from the same record what the tool must be able to write; neither reads the command line
again. Paths are absolute (resolved against the working directory) unless a field says otherwise; where a value
depends on who runs the tool (HOME), the record keeps how it is chosen and `intents.py` resolves it per identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Tool(str, Enum):
    PIP = "pip"
    UV = "uv"
    POETRY = "poetry"
    PIPENV = "pipenv"
    PDM = "pdm"
    HATCH = "hatch"
    PIPX = "pipx"
    VENV = "venv"  # python -m venv
    VIRTUALENV = "virtualenv"
    CONDA = "conda"
    MAMBA = "mamba"
    MICROMAMBA = "micromamba"
    PY_COMPILE = "py_compile"  # python -m py_compile
    COMPILEALL = "compileall"  # python -m compileall
    PYINSTALLER = "pyinstaller"
    SETUPTOOLS = "setup.py"  # python setup.py CMD
    PYPA_BUILD = "build"  # python -m build, pyproject-build


class Act(str, Enum):
    """What the invocation does, in the tool's own terms."""

    INSTALL = "install"  # pip/uv pip/poetry/pipenv/pdm/conda install, uv add/remove, conda env create
    UNINSTALL = "uninstall"
    SYNC = "sync"  # uv sync, uv pip sync, pdm sync, poetry sync
    RUN = "run"  # uv run (syncs first unless told not to)
    CREATE_ENV = "create-env"  # python -m venv, virtualenv, uv venv, conda create
    UPGRADE_ENV = "upgrade-env"  # python -m venv --upgrade
    TOOL_INSTALL = "tool-install"  # pipx install, uv tool install
    PYTHON_INSTALL = "python-install"  # uv python install
    COMPILE = "compile"  # py_compile, compileall
    BUILD = "build"  # pyinstaller, python setup.py, python -m build, hatch build
    CLEAN = "clean"  # conda clean, uv cache clean
    CONFIGURE = "configure"  # conda config --set/--add/...: writes a .condarc (`Invocation.config_file`)
    LOCK = "lock"  # uv lock, poetry lock, pdm lock: writes only the project's lock file
    OTHER = "other"  # a subcommand that writes nothing venvlint checks (pip download, pip list, uv --version)


# Acts that put packages into an environment.
INSTALLS = frozenset({Act.INSTALL, Act.SYNC, Act.RUN})


class Scheme(str, Enum):
    """Where an install puts packages (pip's install schemes, and the tools' environments)."""

    ENV = "env"  # a virtual environment or conda prefix: <env>/lib/pythonX.Y/site-packages and <env>/bin
    SYSTEM = "system"  # the interpreter's own site-packages and bin (no environment active)
    USER = "user"  # the user site: ~/.local/lib/pythonX.Y/site-packages and ~/.local/bin (PYTHONUSERBASE)
    TARGET = "target"  # pip --target DIR: packages straight into DIR (created), scripts in DIR/bin
    PREFIX = "prefix"  # --prefix DIR: DIR/lib/pythonX.Y/site-packages and DIR/bin
    ROOT = "root"  # pip --root DIR: the system scheme below DIR


class TempUse(str, Enum):
    """How the tool uses the temporary directory (docs/TOOLS.md, "The temporary directory")."""

    NONE = "none"
    PYTHON = "python"  # Python's tempfile: $TMPDIR, /tmp, /var/tmp, /usr/tmp, then the cwd
    STRICT = "strict"  # uv (Rust): $TMPDIR or /tmp, no fallback


class EnvTarget(NamedTuple):
    """The environment (or install scheme) the invocation writes packages into.

    `path` is the environment or scheme root; None where it depends on the image (SYSTEM: the interpreter's site)
    or on the user (USER: below HOME, unless PYTHONUSERBASE names it). `source` says how it was chosen, for
    messages ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "--target", "the venv whose bin is first on PATH").
    `creates`: the tool creates the environment when it is missing (uv sync, pip --target, conda create).
    `user_fallback`: pip outside any environment, which falls back to the user site when the system
    site-packages is not writable (measured: "Defaulting to user installation ..."); `user_base`: the user base
    that fallback installs into, PYTHONUSERBASE as the command sees it (None: ~/.local of whoever runs it)."""

    scheme: Scheme
    path: str | None
    source: str
    creates: bool = False
    user_fallback: bool = False
    user_base: str | None = None
    python_version: str | None = None  # X.Y, where the command line or the environment says
    # Whether an existing empty directory at `path` is taken as the place for the environment (uv, venv); Poetry
    # calls it a broken environment, removes it and creates it again, which needs its parent writable (measured).
    empty_ok: bool = True

    def fallback_site(self) -> EnvTarget:
        """The user site pip's fallback installs into: PYTHONUSERBASE wherever it is set, as for `--user` (measured,
        pip 26.3: the fallback creates it, and fails where it cannot), else ~/.local."""
        return EnvTarget(Scheme.USER, self.user_base, "pip's fallback", python_version=self.python_version)


class CacheSpec(NamedTuple):
    """How the tool picks its cache directory: `explicit` (a flag or variable, absolute), else
    `$XDG_CACHE_HOME/<subdir>` or `~/.cache/<subdir>` for whoever runs it (`intents.py` resolves HOME).
    `fatal`: the tool fails without it (uv), rather than warning and going on (pip)."""

    tool: Tool
    subdir: str
    explicit: str | None
    source: str  # the flag or variable that set `explicit`, or "" for the default
    fatal: bool
    xdg: str | None = None  # $XDG_CACHE_HOME, absolute, when set


class ProjectSpec(NamedTuple):
    """A project-based tool's project: its directory, its lock file, and whether this run may rewrite that lock
    (a missing or stale lock is written unless `--locked`/`--frozen`, which never write it)."""

    directory: str
    lock_file: str  # absolute path
    lock_fixed: bool  # --locked / --frozen / UV_LOCKED / UV_FROZEN / pipenv --deploy


class UvSelection(NamedTuple):
    """What a `uv sync` installs, or a `uv run` wants installed: the dev group, other groups and extras (None:
    all of them), and the project itself."""

    dev: bool
    groups: frozenset[str] | None
    extras: frozenset[str] | None
    project: bool

    def covers(self, other: UvSelection) -> bool:
        return (
            (self.dev or not other.dev)
            and (self.groups is None or (other.groups is not None and other.groups <= self.groups))
            and (self.extras is None or (other.extras is not None and other.extras <= self.extras))
            and (self.project or not other.project)
        )

    def lacks(self, other: UvSelection) -> str:
        """What `other` selects that this selection did not install, in uv's words ("" when it covers it)."""
        out = []
        if other.dev and not self.dev:
            out.append("the dev group")
        if self.groups is not None and (other.groups is None or not other.groups <= self.groups):
            more = "every group" if other.groups is None else ", ".join(sorted(other.groups - self.groups))
            out.append(f"the groups {more}" if other.groups is None or len(other.groups - self.groups) > 1
                       else f"the group {more}")  # fmt: skip
        if self.extras is not None and (other.extras is None or not other.extras <= self.extras):
            out.append(
                "every extra" if other.extras is None else "the extras " + ", ".join(sorted(other.extras - self.extras))
            )
        if other.project and not self.project:
            out.append("the project itself")
        return " and ".join(out)


class SyncMode(str, Enum):
    """Whether a `uv run` may sync its environment first."""

    CHECK = "check"  # syncs when the environment is out of date for this run (the default)
    NEVER = "never"  # --no-sync, UV_NO_SYNC, --no-project/--script/--isolated: never writes the environment


class Role(str, Enum):
    """What a place a tool writes is, for the rules (which report caches apart from the rest)."""

    SITE_PACKAGES = "site-packages"
    INSTALLED_PACKAGE = "installed-package"  # an installed package's directory, which an upgrade or uninstall empties
    BIN = "bin"
    VENV_ROOT = "venv-root"
    VENV_PARENT = "venv-parent"
    PYVENV_CFG = "pyvenv.cfg"
    PROJECT_DIR = "project-dir"
    USER_SITE = "user-site"
    TARGET = "target"  # pip/uv --target, --prefix, --root
    REFUSED = "refused"  # the tool refuses to run at all (pip --user inside a venv)
    VCS_CHECKOUT = "vcs-checkout"
    BYTECODE = "bytecode"
    BUILD_OUTPUT = "build-output"
    DOWNLOAD_DIR = "download-dir"
    ENV_HOME = "env-home"  # where a tool keeps the environments it creates (WORKON_HOME, hatch's data dir)
    TOOL_HOME = "tool-home"  # pipx / uv tool environments
    TOOL_BIN = "tool-bin"
    PYTHON_INSTALL = "python-install"
    PYTHON_BIN = "python-bin"
    UV_CACHE = "uv-cache"
    PIP_CACHE = "pip-cache"
    POETRY_CACHE = "poetry-cache"
    CACHE = "cache"  # another tool's cache (pipenv, pdm, hatch, conda's package cache)
    TOOL_CACHE = "tool-cache"  # a tool's own cache outside the install caches
    TOOL_STATE = "tool-state"  # a tool's log or configuration directory it must create (pipx, pdm logs; hatch config)
    APP_DATA = "app-data"  # virtualenv's
    TMPDIR = "tmpdir"
    CONDA_ENV = "conda-env"  # a conda/mamba environment prefix (created, or installed into)
    CONDA_PKGS = "conda-pkgs"  # conda's package cache: the command fails without a writable one
    PIP_REQUIREMENTS = "pip-requirements"  # the temporary requirements file conda/micromamba write for `pip:`


# Caches, HOME-based data and the temporary directory: reported by cache-dir-not-writable, not as install failures.
CACHE_ROLES = frozenset(
    {Role.UV_CACHE, Role.PIP_CACHE, Role.POETRY_CACHE, Role.CACHE, Role.TOOL_CACHE, Role.APP_DATA, Role.TMPDIR,
     Role.CONDA_PKGS}
)  # fmt: skip


class Need(str, Enum):
    FATAL = "fatal"  # the command fails
    DEGRADED = "degraded"  # works with a warning (pip without its cache)
    CONDITIONAL = "conditional"  # fails only for some packages or versions (data files, old uv)


class Write(NamedTuple):
    """A place the invocation writes besides its environment and cache (a checkout directory, build output, a
    bytecode cache, a tool home): `create` when it is created if missing (with its parents)."""

    path: str  # absolute, or `~/...`: below the HOME of whoever runs the tool
    create: bool
    need: Need
    role: Role
    why: str
    below: bool = False  # also in every directory below `path`'s parent that holds Python sources (compileall)
    # Places the tool falls back to, in order, when it cannot write `path` (conda's pkgs_dirs and envs_dirs): the
    # write fails only when none of them can be written.
    alternatives: tuple[str, ...] = ()
    entry: str = ""  # what the tool creates inside the place it writes (the environment's name in an envs dir)
    # For a CONDITIONAL write: what must hold for it to fail (a finding resting on it names this as assumed).
    condition: str = ""


class PythonChoice(NamedTuple):
    """How uv picks (or installs) an interpreter, read from its flags and environment (uv's
    crates/uv-python/src/discovery.rs and managed.rs, docs/MEASUREMENTS.md "Interpreters out of reach").

    `preference`: only-managed, managed (uv's default: an installed managed Python before a system one, a system
    one before a download), system, only-system. `install_dir`: where managed Pythons live, absolute or `~/...`
    (`--install-dir`, $UV_PYTHON_INSTALL_DIR, $XDG_DATA_HOME/uv/python, ~/.local/share/uv/python). `versions`: the
    X.Y `uv python install` installs (empty: a version venvlint cannot name)."""

    preference: str = "managed"
    downloads: bool = True
    install_dir: str = "~/.local/share/uv/python"
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invocation:
    """One Python tool invocation, read once. `unread` lists what could not be read (a computed argument, an
    unknown subcommand): each is said as an assumption, and nothing is concluded from the parts it touches."""

    tool: Tool
    act: Act
    subcommand: str  # as written: "install", "pip install", "env create", ...
    env: EnvTarget | None = None
    cache: CacheSpec | None = None
    temp: TempUse = TempUse.NONE
    project: ProjectSpec | None = None
    writes: tuple[Write, ...] = ()
    packages: tuple[str, ...] = ()  # requirement specifiers named on the command line (`uv==0.6.6`)
    requirements: tuple[str, ...] = ()  # requirement files (`-r requirements.txt`), as written
    # The installed files of the named packages are removed first (pip -U / --force-reinstall / uninstall, uv pip
    # install -U / --reinstall / uninstall): that needs their directories writable, not only site-packages.
    replaces: bool = False
    replaced: tuple[str, ...] = ()  # only these are replaced (uv's --upgrade-package / --reinstall-package values)
    uv_selection: UvSelection | None = None
    sync: SyncMode = SyncMode.CHECK
    clear: bool = False  # uv venv --clear / UV_VENV_CLEAR: the environment is removed and created again
    relocatable: bool = False  # uv venv --relocatable: scripts find their interpreter relative to themselves
    # What a new environment gets besides its interpreter (measured, docs/MEASUREMENTS.md): `python -m venv` and
    # virtualenv install pip (bin/pip, pip3, pipX.Y) unless --without-pip / --no-pip; `uv venv` only with --seed.
    seeds: tuple[str, ...] = ()
    config_file: str | None = None  # the configuration file a CONFIGURE writes (`~/.condarc`: the user's HOME)
    # What a CONFIGURE sets, as `key = value` lines the model keeps as the file's content (`poetry config KEY
    # VALUE`); None when it is not read (conda's settings: the next conda command treats them as not known).
    config_text: str | None = None
    python: PythonChoice | None = None  # uv: how it picks or installs an interpreter
    unread: tuple[str, ...] = ()
    steering: tuple[str, ...] = field(default=())  # the environment variables this tool reads to decide where

    @property
    def installs(self) -> bool:
        return self.act in INSTALLS

    @property
    def replaced_distributions(self) -> tuple[str, ...]:
        """The distributions whose installed files the command removes first."""
        if not self.replaces:
            return ()
        names = (distribution_name(p) for p in self.replaced) if self.replaced else iter(self.distributions)
        return tuple(dict.fromkeys(n for n in names if n))

    @property
    def distributions(self) -> tuple[str, ...]:
        """The distribution names among `packages`, normalized as their `.dist-info` directories spell them
        (PEP 503 then `-` → `_`: `Flask-SQLAlchemy>=3` → `flask_sqlalchemy`); paths, URLs and archives are left out."""
        return tuple(dict.fromkeys(n for n in (distribution_name(p) for p in self.packages) if n))


def distribution_name(spec: str) -> str | None:
    """The normalized distribution name of a requirement specifier (`requests[socks]==2.32` → `requests`), or None
    for a path, URL or archive (`./pkg`, `git+https://...`, `x.whl`)."""
    spec = spec.strip("'\"")
    if "/" in spec or "://" in spec or spec.startswith((".", "-")) or spec.endswith((".whl", ".tar.gz", ".zip")):
        return None
    m = re.match(r"[A-Za-z0-9._-]+", spec)
    if m is None:
        return None
    raw = m.group(0).strip("._-")
    rest = spec[m.end() :].lstrip()
    if not raw or (rest and rest[0] not in "[=<>!~;@("):
        return None
    out: list[str] = []
    for ch in raw.lower():  # PEP 503: runs of -, _ and . are one separator; .dist-info spells it `_`
        if ch in "-_.":
            if out[-1] != "_":
                out.append("_")
        else:
            out.append(ch)
    return "".join(out)
