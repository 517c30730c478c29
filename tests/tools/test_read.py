"""The one reader of Python tool command lines: every form of a tool gives the same record."""

from __future__ import annotations

import posixpath

import pytest
from venvlint.model.fs import Action, Cause, FileSystem, Kind, Node
from venvlint.resolve.expand import unknown_value
from venvlint.tools.context import Context
from venvlint.tools.model import Act, Invocation, Need, Role, Scheme, SyncMode, TempUse, Tool
from venvlint.tools.options import OptionSpec
from venvlint.tools.programs import Lookup, which
from venvlint.tools.read import read, tool_name

VENV = "/opt/venv"


class Probe:
    def __init__(
        self, envs: tuple[str, ...] = (VENV,), files: tuple[str, ...] = (), texts: dict[str, str] | None = None
    ) -> None:
        self.envs = envs
        self.gone: set[str] = set()
        self.texts = texts or {}
        self.files = {f"{VENV}/bin/pip", f"{VENV}/bin/python", f"{VENV}/bin/python3", *files}

    def is_env(self, path: str) -> bool:
        return path in self.envs

    def may_exist(self, path: str) -> bool:
        return self.exists(path)

    def absent(self, path: str) -> bool:
        return path in self.gone

    def exists(self, path: str) -> bool:
        return path in self.files

    def content(self, path: str) -> str | None:
        return self.texts.get(path)

    def which(self, name: str, path: str | None, cwd: str) -> Lookup:
        """The model's lookup over these files: /usr/bin holds the system's python and pip and nothing else, a
        listed file exists, one in `gone` does not, anything else may."""
        fs = FileSystem.scratch()
        fs.ensure_dirs("/usr/bin", 0, 0, 0o755, Cause(0, "test"))
        for prog in ("python", "python3", "pip", "pip3"):
            fs.put(f"/usr/bin/{prog}", Node(Kind.FILE, 0, 0, 0o755), Cause(0, "test"), Action.CREATED)
        for f in self.files:
            fs.ensure_dirs(posixpath.dirname(f), 0, 0, 0o755, Cause(0, "test"))
            fs.put(f, Node(Kind.FILE, 0, 0, 0o755), Cause(0, "test"), Action.CREATED)
        for d in {posixpath.dirname(f) for f in self.files}:
            fs.open_listing(d)
        for f in self.gone:
            fs.remove(f)
        return which(name, path, fs, cwd)


def r(cmd: str, env: dict[str, str] | None = None, cwd: str = "/work", probe: Probe | None = None) -> Invocation:
    inv = read(cmd.split(), {"PATH": "/usr/bin", **(env or {})}, cwd, probe or Probe())
    assert inv is not None, cmd
    return inv


@pytest.mark.parametrize(
    "cmd",
    ["pip install x", "pip3 install x", "pip3.12 install x", "python -m pip install x", "python3 -I -m pip install x",
     "python3.12 -X utf8 -m pip install x", "/opt/venv/bin/pip install x", "/opt/venv/bin/python -m pip install x",
     "pip -q install x", "pip install -qU x"],
)  # fmt: skip
def test_every_form_of_pip_reads_the_same(cmd: str) -> None:
    inv = r(cmd, {"PATH": f"{VENV}/bin:/usr/bin"})
    assert (inv.tool, inv.act, inv.packages) == (Tool.PIP, Act.INSTALL, ("x",))
    assert inv.env is not None and (inv.env.scheme, inv.env.path) == (Scheme.ENV, VENV)


def test_pip_outside_an_environment_may_fall_back_to_the_user_site() -> None:
    inv = r("pip install x")
    assert inv.env is not None and inv.env.scheme is Scheme.SYSTEM and inv.env.user_fallback
    assert inv.env.user_base is None  # ~/.local of whoever runs it
    assert (inv.env.fallback_site().scheme, inv.env.fallback_site().path) == (Scheme.USER, None)


@pytest.mark.parametrize(
    ("cmd", "env", "base"),
    [
        ("pip install x", {"PYTHONUSERBASE": "/opt/pyuser"}, "/opt/pyuser"),
        ("pip install x", {"PYTHONUSERBASE": "ub"}, "/work/ub"),
        ("pip install x", {"PYTHONUSERBASE": ""}, None),
        ("pipenv install --system --deploy", {"PYTHONUSERBASE": "/opt/pyuser"}, "/opt/pyuser"),
    ],
)
def test_pip_user_fallback_goes_to_pythonuserbase(cmd: str, env: dict[str, str], base: str | None) -> None:
    """Measured (pip 26.3): the fallback installs where `--user` would, PYTHONUSERBASE moving both."""
    inv = r(cmd, env, probe=Probe(envs=()))
    assert inv.env is not None and inv.env.user_fallback and inv.env.user_base == base
    assert (inv.env.fallback_site().scheme, inv.env.fallback_site().path) == (Scheme.USER, base)


@pytest.mark.parametrize(
    ("cmd", "env", "scheme", "path"),
    [
        ("pip install --target=/app x", {}, Scheme.TARGET, "/app"),
        ("pip install -t . -r requirements.txt", {}, Scheme.TARGET, "/work"),
        ("pip install x", {"PIP_TARGET": "lib"}, Scheme.TARGET, "/work/lib"),
        ("pip install --prefix /usr/local/x x", {}, Scheme.PREFIX, "/usr/local/x"),
        ("pip install --root /stage x", {}, Scheme.ROOT, "/stage"),
        ("pip install --user x", {"PYTHONUSERBASE": "/u"}, Scheme.USER, "/u"),
        ("pip install x", {"PIP_USER": "1"}, Scheme.USER, None),
        ("pip install x", {"PIP_USER": "0"}, Scheme.SYSTEM, None),
    ],
)
def test_pip_install_schemes(cmd: str, env: dict[str, str], scheme: Scheme, path: str | None) -> None:
    inv = r(cmd, env)
    assert inv.env is not None and (inv.env.scheme, inv.env.path) == (scheme, path)
    assert inv.env.creates is (scheme in (Scheme.TARGET, Scheme.PREFIX, Scheme.ROOT))


def test_pip_user_inside_a_venv_is_refused() -> None:
    inv = r("pip install --user x", {"PATH": f"{VENV}/bin:/usr/bin"})
    assert [w.role for w in inv.writes] == [Role.REFUSED]


def test_pip_reads_no_virtual_env_variable() -> None:
    """pip works in the environment of the interpreter that runs it (measured: VIRTUAL_ENV set, the venv off
    PATH, `pip` is the system's); only uv reads VIRTUAL_ENV."""
    inv = r("pip install x", {"VIRTUAL_ENV": VENV})
    assert inv.env is not None and inv.env.scheme is Scheme.SYSTEM
    assert r("uv pip install x", {"VIRTUAL_ENV": VENV}).env.path == VENV  # type: ignore[union-attr]


def test_pip_on_an_unknown_path_after_the_venv_is_the_venvs() -> None:
    """`ENV PATH=/opt/venv/bin:$PATH` on an image whose PATH is not known: the venv's pip comes first."""
    inv = r("pip install x", {"PATH": f"{VENV}/bin:{unknown_value('PATH')}"})
    assert inv.env is not None and inv.env.path == VENV and not inv.unread
    later = r("pip install x", {"PATH": f"{unknown_value('PATH')}:{VENV}/bin"})
    assert later.env is not None and later.env.path is None and later.unread


@pytest.mark.parametrize(
    ("cmd", "env", "where"),
    [
        ("pip install -e git+https://h/lib.git#egg=lib", {"PATH": f"{VENV}/bin"}, f"{VENV}/src"),
        ("pip install -e git+https://h/lib.git#egg=lib", {}, "/work/src"),
        ("pip install --src /s -e git+https://h/lib.git#egg=lib", {}, "/s"),
        ("pip install -e hg+https://h/lib#egg=lib", {"PIP_SRC": "/p"}, "/p"),
    ],
)
def test_pip_vcs_editables_are_checked_out(cmd: str, env: dict[str, str], where: str) -> None:
    (w,) = r(cmd, env).writes
    assert (w.path, w.create, w.role) == (where, True, Role.VCS_CHECKOUT)


def test_a_local_editable_checks_nothing_out() -> None:
    assert r("pip install -e .").writes == ()


@pytest.mark.parametrize(
    ("cmd", "env", "explicit"),
    [("pip install x", {}, None), ("pip install --cache-dir /c x", {}, "/c"), ("pip install x", {"PIP_CACHE_DIR": "c"}, "/work/c")],
)  # fmt: skip
def test_pip_cache(cmd: str, env: dict[str, str], explicit: str | None) -> None:
    cache = r(cmd, env).cache
    assert cache is not None and cache.explicit == explicit and not cache.fatal and cache.subdir == "pip"


@pytest.mark.parametrize("env", [{"PIP_NO_CACHE_DIR": "1"}, {"PIP_NO_CACHE_DIR": "0"}, {"PIP_NO_CACHE_DIR": "off"}])
def test_pip_no_cache_dir_with_any_value_disables_the_cache(env: dict[str, str]) -> None:
    assert r("pip install x", env).cache is None and r("pip install --no-cache-dir x").cache is None


def test_pip_download_and_wheel_write_their_directory() -> None:
    (w,) = r("pip download -d /wheels x").writes
    assert (w.path, w.role) == ("/wheels", Role.DOWNLOAD_DIR)
    (w,) = r("pip wheel x").writes
    assert w.path == "/work"
    assert r("pip list").act is Act.OTHER and r("pip list").writes == ()


def test_a_computed_target_is_unread_not_guessed() -> None:
    inv = read(["pip", "install", "--target", unknown_value("T"), "x"], {}, "/work", Probe())
    assert inv is not None and inv.env is not None
    assert (inv.env.scheme, inv.env.path) == (Scheme.TARGET, None) and inv.unread


def test_uv_project_commands() -> None:
    inv = r("uv sync --locked --no-dev --project /p")
    assert (inv.act, inv.temp) == (Act.SYNC, TempUse.STRICT)
    assert inv.env is not None and (inv.env.path, inv.env.creates) == ("/p/.venv", True)
    assert inv.project is not None and inv.project.lock_file == "/p/uv.lock" and inv.project.lock_fixed
    assert inv.uv_selection is not None and not inv.uv_selection.dev
    env = r("uv sync", {"UV_PROJECT_ENVIRONMENT": "../env"}).env
    assert env is not None and env.path == "/env"


@pytest.mark.parametrize(
    ("cmd", "env", "sync"),
    [
        ("uv run app", {}, SyncMode.CHECK),
        ("uv run --no-sync app", {}, SyncMode.NEVER),
        # --frozen only keeps uv.lock as it is: the environment is still synced (measured, uv 0.13.9)
        ("uv run --frozen app", {}, SyncMode.CHECK),
        ("uv run --locked app", {}, SyncMode.CHECK),
        ("uv run app", {"UV_NO_SYNC": "1"}, SyncMode.NEVER),
        ("uv run app", {"UV_NO_SYNC": "true"}, SyncMode.NEVER),
        ("uv run app", {"UV_NO_SYNC": "0"}, SyncMode.CHECK),
        ("uv run app", {"UV_NO_SYNC": "false"}, SyncMode.CHECK),
        ("uv run app", {"UV_FROZEN": "1"}, SyncMode.CHECK),
        ("uv run app", {"UV_NO_SYNC": "yes"}, SyncMode.NEVER),
        ("uv run app", {"UV_NO_SYNC": "off"}, SyncMode.CHECK),
        ("uv run --no-project python x.py", {}, SyncMode.NEVER),
    ],
)
def test_uv_run_syncs_unless_told_not_to(cmd: str, env: dict[str, str], sync: SyncMode) -> None:
    assert r(cmd, env).sync is sync


def test_uv_run_stops_reading_at_the_command_it_runs() -> None:
    inv = r("uv run python -m pip install --target /x --no-sync")
    assert inv.act is Act.RUN and inv.sync is SyncMode.CHECK and inv.env is not None and inv.env.path == "/work/.venv"


def test_uv_pip_finds_its_environment_as_uv_does() -> None:
    assert r("uv pip install x", {"VIRTUAL_ENV": VENV}).env.path == VENV  # type: ignore[union-attr]
    inv = r("uv pip install --python /opt/venv/bin/python uv==0.6.6")
    assert inv.env is not None and inv.env.path == VENV and inv.packages == ("uv==0.6.6",)
    assert r("uv pip install --system x").env.scheme is Scheme.SYSTEM  # type: ignore[union-attr]
    on_path = r("uv pip install x", {"PATH": f"{VENV}/bin:/usr/bin"}).env
    assert on_path is not None and on_path.path == VENV
    dot = r("uv pip install x", cwd="/p/sub", probe=Probe(envs=("/p/.venv",))).env
    assert dot is not None and dot.path == "/p/.venv"
    assert r("uv pip install --no-cache x").temp is TempUse.STRICT and r("uv pip install x").temp is TempUse.NONE


def test_uv_venv_tool_python_and_uvx() -> None:
    inv = r("uv venv --relocatable --clear /build/venv")
    assert inv.act is Act.CREATE_ENV and inv.relocatable and inv.clear and inv.env.path == "/build/venv"  # type: ignore[union-attr]
    tools = r("uv tool install ruff").writes
    assert [(w.path, w.role) for w in tools] == [
        ("~/.local/share/uv/tools", Role.TOOL_HOME),
        ("~/.local/bin", Role.TOOL_BIN),
    ]
    xdg = r("uv tool install ruff", {"XDG_DATA_HOME": "/d", "UV_TOOL_BIN_DIR": "/b"}).writes
    assert [w.path for w in xdg] == ["/d/uv/tools", "/b"]
    assert r("uv python install 3.12").writes[0].path == "~/.local/share/uv/python"
    uvx = r("uvx ruff check --cache-dir /ruff")
    assert uvx.subcommand == "tool run" and uvx.cache is not None and uvx.cache.explicit is None


@pytest.mark.parametrize(
    ("line", "env", "preference", "downloads", "install_dir", "versions"),
    [
        ("uv python install 3.12 cpython-3.11.4", {}, "managed", True, "~/.local/share/uv/python", ("3.12", "3.11")),
        ("uv python install 3.12", {"XDG_DATA_HOME": "/d"}, "managed", True, "/d/uv/python", ("3.12",)),
        ("uv python install --install-dir /p 3.12", {"UV_PYTHON_INSTALL_DIR": "/e"}, "managed", True, "/p", ("3.12",)),
        ("uv venv", {"UV_PYTHON_INSTALL_DIR": "/e", "XDG_DATA_HOME": "/d"}, "managed", True, "/e", ()),
        ("uv venv --python-preference only-system", {}, "only-system", True, "~/.local/share/uv/python", ()),
        ("uv venv", {"UV_PYTHON_PREFERENCE": "system"}, "system", True, "~/.local/share/uv/python", ()),
        ("uv venv --managed-python", {"UV_PYTHON_PREFERENCE": "system"}, "only-managed", True,
         "~/.local/share/uv/python", ()),
        ("uv sync", {"UV_NO_MANAGED_PYTHON": "1"}, "only-system", True, "~/.local/share/uv/python", ()),
        ("uv venv --no-python-downloads", {}, "managed", False, "~/.local/share/uv/python", ()),
        ("uv venv", {"UV_PYTHON_DOWNLOADS": "never"}, "managed", False, "~/.local/share/uv/python", ()),
    ],
)  # fmt: skip
def test_uv_python_choice(
    line: str, env: dict[str, str], preference: str, downloads: bool, install_dir: str, versions: tuple[str, ...]
) -> None:
    """How uv picks or installs an interpreter (uv's discovery.rs and managed.rs; docs/MEASUREMENTS.md)."""
    choice = r(line, env).python
    assert choice is not None
    assert (choice.preference, choice.downloads, choice.install_dir, choice.versions) == (
        preference, downloads, install_dir, versions)  # fmt: skip


@pytest.mark.parametrize(
    ("env", "scheme", "path", "cache_fatal"),
    [
        ({"VIRTUAL_ENV": VENV}, Scheme.ENV, VENV, False),
        ({"POETRY_VIRTUALENVS_CREATE": "false"}, Scheme.SYSTEM, None, False),
        ({"POETRY_VIRTUALENVS_IN_PROJECT": "true"}, Scheme.ENV, "/work/.venv", False),
        ({}, Scheme.ENV, None, True),
    ],
)
def test_poetry_environments(env: dict[str, str], scheme: Scheme, path: str | None, cache_fatal: bool) -> None:
    inv = r("poetry install --no-root", env)
    assert inv.env is not None and (inv.env.scheme, inv.env.path) == (scheme, path)
    assert inv.cache is not None and inv.cache.fatal is cache_fatal
    assert inv.project is not None and inv.project.lock_file == "/work/poetry.lock"


def test_pipenv_pdm_hatch_pipx() -> None:
    pipenv = r("pipenv install --deploy")
    assert pipenv.project is not None and pipenv.project.lock_fixed
    assert [w.path for w in pipenv.writes] == ["~/.local/share/virtualenvs"]
    system = r("pipenv install --system --deploy").env
    assert system is not None and system.scheme is Scheme.SYSTEM and system.user_fallback  # pip's fallback, measured
    assert r("pipenv install", {"PIPENV_VENV_IN_PROJECT": "1"}).env.path == "/work/.venv"  # type: ignore[union-attr]
    pdm = r("pdm install")
    assert pdm.env is not None and pdm.env.path == "/work/.venv"
    assert [(w.path, w.need) for w in pdm.writes] == [("~/.local/state/pdm/log", Need.FATAL)]
    assert [w.path for w in r("pdm install", {"PDM_LOG_DIR": "/var/log/pdm"}).writes] == ["/var/log/pdm"]
    hatch = [w.path for w in r("hatch env create").writes]
    assert hatch == ["~/.local/share/hatch/env/virtual", "~/.config/hatch"]
    assert [w.path for w in r("hatch env create", {"XDG_CONFIG_HOME": "/cfg"}).writes][1] == "/cfg/hatch"
    assert len(r("hatch --config /etc/hatch.toml env create").writes) == 1
    pipx = [w.path for w in r("pipx install black").writes]
    assert pipx == ["~/.local/share/pipx", "~/.local/bin", "~/.local/state/pipx/log"]
    pipx = [
        w.path for w in r("pipx install black", {"PIPX_HOME": "/opt/pipx", "PIPX_BIN_DIR": "/usr/local/bin"}).writes
    ]
    assert pipx == ["/opt/pipx", "/usr/local/bin", "/opt/pipx/logs"]
    pipx = [w.path for w in r("pipx install --global black").writes]
    assert pipx == ["/opt/pipx", "/usr/local/bin", "/opt/pipx/logs"]


def test_compilers_and_pyinstaller() -> None:
    (w,) = r("python3 -m py_compile /opt/startup/shim.py").writes
    assert (w.path, w.create, w.role) == ("/opt/startup/__pycache__", True, Role.BYTECODE)
    (w,) = r("python -m py_compile app.py", {"PYTHONPYCACHEPREFIX": "/tmp/pyc"}).writes
    assert w.path == "/tmp/pyc/work"
    (w,) = r("python -m compileall -q /app").writes
    assert (w.path, w.below) == ("/app/__pycache__", True)
    (w,) = r("python -m compileall -b -l /app").writes
    assert (w.path, w.create, w.below) == ("/app", False, False)
    paths = [w.path for w in r("pyinstaller --onefile app.py").writes]
    assert paths == ["/work", "/work/build", "/work/dist"]  # nothing below HOME on Linux (measured)
    paths = [w.path for w in r("python -m PyInstaller --distpath /out app.spec").writes]
    assert paths == ["/work/build", "/out"]


def test_venv_and_virtualenv() -> None:
    inv = r("python3.12 -m venv /opt/new")
    assert inv.act is Act.CREATE_ENV and inv.env is not None and inv.env.python_version == "3.12"
    assert r("python3 -m venv --upgrade /opt/venv").act is Act.UPGRADE_ENV
    (w,) = r("virtualenv /v").writes
    assert (w.role, w.need, w.path) == (Role.APP_DATA, Need.DEGRADED, "~/.cache/virtualenv")  # measured, 21.15
    (w,) = r("virtualenv /v", {"XDG_CACHE_HOME": "/c"}).writes
    assert w.path == "/c/virtualenv"


def test_what_is_not_a_tool() -> None:
    for cmd in ("python app.py", "python -c pass", "python3 -m http.server", "ls -l", "pipe install"):
        assert tool_name(cmd.split()) is None
        assert read(cmd.split(), {}, "/", Probe()) is None


def test_options_parser() -> None:
    spec = OptionSpec(("-r", "--requirement"), "--target", aliases=[("-U", "--upgrade")])
    p = spec.parse(["-qr", "req.txt", "--target=/t", "x", "-U", "--", "-y"])
    assert p.values == {"--requirement": ["req.txt"], "--target": ["/t"]}
    assert p.flags == {"-q", "--upgrade"} and p.operands == ["x", "-y"]
    p = spec.parse(["run", "--target", "/t", "cmd", "--target", "/x"], stop_after=2)
    assert p.operands == ["run", "cmd"] and p.rest == ["--target", "/x"] and p.values == {"--target": ["/t"]}


def test_an_open_environment_is_read_as_the_variables_the_build_sets() -> None:
    from venvlint.resolve.expand import OpenVars

    ctx = Context(OpenVars({"PIP_TARGET": "/t"}), "/", Probe())
    assert ctx.var("VIRTUAL_ENV") is None and ctx.var("PIP_TARGET") == "/t" and not ctx.unread


ENV_FILE = "name: app\ndependencies:\n  - python\n  - pip\n  - pip:\n    - requests\n"


def test_conda_env_create_falls_back_below_home() -> None:
    probe = Probe(envs=(), files=("/opt/conda/bin/conda",), texts={"/src/environment.yml": ENV_FILE})
    inv = r("conda env create -f environment.yml", {"PATH": "/opt/conda/bin:/usr/bin"}, cwd="/src", probe=probe)
    env, pkgs, notices, pip = inv.writes
    assert (env.role, env.path, env.alternatives, env.entry) == (
        Role.CONDA_ENV,
        "/opt/conda/envs",
        ("~/.conda/envs",),
        "app",
    )
    assert (pkgs.role, pkgs.path, pkgs.alternatives) == (Role.CONDA_PKGS, "/opt/conda/pkgs", ("~/.conda/pkgs",))
    assert notices.path == "~/.cache/conda/notices" and notices.need.value == "conditional"
    assert (pip.role, pip.path, pip.alternatives) == (Role.PIP_REQUIREMENTS, "/src", ("/tmp",))
    quiet = r("conda env create -f environment.yml", {"PATH": "/opt/conda/bin", "CONDA_NUMBER_CHANNEL_NOTICES": "0"},
              cwd="/src", probe=probe)  # fmt: skip
    assert Role.CACHE not in [w.role for w in quiet.writes]


def test_conda_directories_from_the_environment() -> None:
    probe = Probe(envs=(), files=("/opt/conda/bin/conda",))
    env = {"PATH": "/opt/conda/bin", "CONDA_ENVS_DIRS": "/envs", "CONDA_PKGS_DIRS": "/p1,/p2"}
    target, pkgs, _ = r("conda create -y -n x python", env, probe=probe).writes
    assert (target.path, target.alternatives) == ("/envs", ("/opt/conda/envs", "~/.conda/envs"))
    assert (pkgs.path, pkgs.alternatives) == ("/p1", ("/p2",))
    (target, *_) = r("conda install -y -p /opt/env numpy", {"PATH": "/opt/conda/bin"}, probe=probe).writes
    assert (target.path, target.create) == ("/opt/env/conda-meta", False)
    (target, *_) = r("conda install -y numpy", {"PATH": "/opt/conda/bin"}, probe=probe).writes
    assert target.path == "/opt/conda/conda-meta"


def test_micromamba_has_no_fallback_below_home_for_environments() -> None:
    probe = Probe(envs=(), texts={"/environment.yaml": ENV_FILE})
    inv = r("micromamba install -y -n base -f /environment.yaml", {"MAMBA_ROOT_PREFIX": "/opt/conda"}, probe=probe)
    base, pkgs, pip = inv.writes
    assert base.path == "/opt/conda/conda-meta" and pkgs.alternatives == ("~/.mamba/pkgs",)
    assert (pip.path, pip.alternatives) == ("/", ())
    (target, _) = r("micromamba create -y -n app python", {"MAMBA_ROOT_PREFIX": "/r"}, probe=probe).writes
    assert (target.path, target.alternatives, target.entry) == ("/r/envs", (), "app")
    unknown_root = r("micromamba create -y -n app python", probe=probe)
    assert unknown_root.unread


@pytest.mark.parametrize(
    ("cmd", "env", "where"),
    [
        ("conda config --add channels conda-forge", {}, "~/.condarc"),
        ("conda config --system --set channel_priority strict", {"CONDA_DIR": "/opt/conda"}, "/opt/conda/.condarc"),
        ("conda config --file /etc/conda/.condarc --add pkgs_dirs /p", {}, "/etc/conda/.condarc"),
        ("conda config --set always_yes true", {"CONDARC": "/cfg/rc"}, "/cfg/rc"),
    ],
)
def test_conda_config_writes_a_condarc(cmd: str, env: dict[str, str], where: str) -> None:
    inv = r(cmd, env)
    assert (inv.act, inv.config_file) == (Act.CONFIGURE, where)


def test_conda_config_that_only_reads_writes_nothing() -> None:
    assert r("conda config --show-sources").act is Act.OTHER


def test_a_condarc_in_the_image_makes_conda_dirs_unknown() -> None:
    probe = Probe(envs=(), files=("/opt/conda/bin/conda", "/opt/conda/.condarc"))
    inv = read(["conda", "install", "-y", "numpy"], {"PATH": "/opt/conda/bin:/usr/bin"}, "/", probe)
    assert inv is not None and not [w for w in inv.writes if w.role in (Role.CONDA_ENV, Role.CONDA_PKGS)]
    assert any(".condarc may move" in u for u in inv.unread)


def test_conda_named_by_path_names_its_root() -> None:
    assert r("/usr/local/bin/conda config --system --set x y").config_file is None  # no installation there
    inv = r("/opt/conda/bin/conda config --system --set show_channel_urls True", probe=Probe(envs=("/opt/conda",)))
    assert inv.config_file == "/opt/conda/.condarc"
    inv = r("/srv/miniconda/bin/conda create -y -n app python", probe=Probe(envs=("/srv/miniconda",)))
    assert [w.path for w in inv.writes if w.role is Role.CONDA_PKGS] == ["/srv/miniconda/pkgs"]


@pytest.mark.parametrize(
    ("cmd", "env"),
    [
        ("pip install --no-user x", {}),
        ("pip install x", {"PIP_USER": "0"}),
        ("pip install x", {"PIP_USER": "false"}),
        ("python3 -s -m pip install x", {}),
        ("python3 -I -m pip install x", {}),
    ],
)
def test_no_user_fallback_when_the_user_site_is_off(cmd: str, env: dict[str, str]) -> None:
    """Measured (pip 26.3): these fail with permission denied on the system site-packages instead."""
    inv = r(cmd, env, probe=Probe(envs=()))
    assert inv.env is not None and inv.env.scheme is Scheme.SYSTEM and not inv.env.user_fallback
    assert r("pip install x", probe=Probe(envs=())).env.user_fallback  # type: ignore[union-attr]


def test_pip_python_option_names_the_environment() -> None:
    probe = Probe(envs=("/opt/venv", "/work/.venv"))
    for target in ("/opt/venv", "/opt/venv/bin/python"):
        inv = r(f"pip --python {target} install x", probe=probe)
        assert inv.env is not None and inv.env.path == "/opt/venv", target


@pytest.mark.parametrize(
    ("cmd", "sync"),
    [
        ("uv run --script tool.py", SyncMode.NEVER),
        ("uv run -s tool.py", SyncMode.NEVER),
        ("uv run -w rich --no-sync app.py", SyncMode.NEVER),
        ("uv run --with rich app.py", SyncMode.CHECK),
    ],
)
def test_uv_run_flags_and_values(cmd: str, sync: SyncMode) -> None:
    assert r(cmd).sync is sync


def test_compileall_of_a_missing_directory_writes_nothing() -> None:
    probe = Probe()
    probe.gone.add("/nope")
    assert r("python -m compileall /nope", probe=probe).writes == ()


def test_pyinstaller_and_hatch_flags_do_not_swallow_operands() -> None:
    paths = [w.path for w in r("pyinstaller --bootloader-ignore-signals app.py").writes]
    assert paths == ["/work", "/work/build", "/work/dist"]
    (w,) = r("hatch build -c /out").writes
    assert w.path == "/out"


@pytest.mark.parametrize(
    ("cmd", "replaces"),
    [("pip install x", False), ("pip install -U x", True), ("pip install --upgrade x", True),
     ("pip install --force-reinstall x", True), ("pip uninstall -y x", True), ("pip install -I x", False),
     ("uv pip install x", False), ("uv pip install -U x", True), ("uv pip install --reinstall x", True),
     ("uv pip install -P x x", True), ("uv pip install --reinstall-package x x", True),
     ("uv pip uninstall x", True)],
)  # fmt: skip
def test_commands_that_remove_installed_files_first(cmd: str, replaces: bool) -> None:
    # Measured (pip 26.3, uv 0.13.9): these remove the old version's files, so they need the package's
    # directories writable, not only site-packages.
    assert r(cmd, {"PATH": f"{VENV}/bin:/usr/bin", "VIRTUAL_ENV": VENV}).replaces is replaces


def test_distribution_names_as_dist_info_spells_them() -> None:
    inv = r("pip install requests[socks]==2.32 Flask-SQLAlchemy>=3 ./local git+https://h/r.git x.whl zope.interface")
    assert inv.distributions == ("requests", "flask_sqlalchemy", "zope_interface")


def test_upgrade_package_replaces_only_what_it_names() -> None:
    inv = r(
        "uv pip install --upgrade-package httpx pandas httpx", {"PATH": f"{VENV}/bin:/usr/bin", "VIRTUAL_ENV": VENV}
    )
    assert inv.replaced_distributions == ("httpx",)
    assert r("uv pip install -U pandas httpx", {"VIRTUAL_ENV": VENV}).replaced_distributions == ("pandas", "httpx")


def test_setup_py_writes_into_the_working_directory() -> None:
    """Measured with setuptools 84.2.1: every command runs egg_info in the cwd; build/ and dist/ by command."""
    inv = r("python setup.py sdist bdist_wheel", cwd="/src")
    assert (inv.tool, inv.act) == (Tool.SETUPTOOLS, Act.BUILD)
    assert [(w.path, w.create, w.need) for w in inv.writes] == [
        ("/src", False, Need.FATAL), ("/src/build", True, Need.FATAL), ("/src/dist", True, Need.FATAL)]  # fmt: skip
    assert [w.path for w in r("python3 setup.py egg_info", cwd="/src").writes] == ["/src"]
    moved = r("python setup.py bdist_wheel -d /tmp/wheels --build-base=/tmp/b", cwd="/src")
    assert [w.path for w in moved.writes] == ["/src", "/tmp/b", "/tmp/wheels"]
    assert tool_name(["python", "setup.py", "build"]) == "setup.py"
    assert tool_name(["python", "other.py"]) is None
    odd = r("python setup.py upload", cwd="/src")
    assert odd.act is Act.OTHER and odd.unread
    assert read(["python", "/elsewhere/setup.py", "build"], {}, "/", Probe()) is None


def test_python_m_build_follows_the_backend() -> None:
    setuptools = Probe(texts={"/src/pyproject.toml": "[build-system]\nbuild-backend = 'setuptools.build_meta'\n"})
    inv = r("python -m build --outdir /tmp/dist", cwd="/src", probe=setuptools)
    assert (inv.tool, inv.act) == (Tool.PYPA_BUILD, Act.BUILD)
    assert [(w.path, w.need) for w in inv.writes] == [("/tmp/dist", Need.FATAL), ("/src", Need.FATAL)]
    poetry = Probe(texts={"/src/pyproject.toml": '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n'})
    assert [w.path for w in r("pyproject-build", cwd="/src", probe=poetry).writes] == ["/src/dist"]
    unknown_text = r("python -m build sub", cwd="/src").writes
    assert [(w.path, w.need) for w in unknown_text] == [("/src/sub/dist", Need.FATAL), ("/src/sub", Need.CONDITIONAL)]


def test_poetry_export_writes_relative_to_the_project() -> None:
    probe = Probe()
    probe.gone = {"/proj/req.txt", "/work/out/r.txt"}
    inv = r("poetry -C /proj export -o req.txt", probe=probe)
    assert inv.act is Act.BUILD and [w.path for w in inv.writes] == ["/proj"]
    assert [w.path for w in r("poetry export --output=out/r.txt", probe=probe).writes] == ["/work/out"]
    assert r("poetry export -f requirements.txt", probe=probe).writes == ()
    assert r("poetry export -o maybe.txt", probe=probe).writes == ()  # not known to be missing
