"""Python environments and tools: `python -m venv`/virtualenv, pip, uv, poetry, and the tools only recorded
(pipx, conda, mamba, micromamba). Each invocation is recorded as a `ToolRun` for the write-need analysis. What an
install puts into an environment is not modelled file by file: afterwards the environment's listing is open.
A Python script or `python -c` is not modelled."""

from __future__ import annotations

import posixpath
import re

from ...model.access import Premise, PremiseKind, Tri, can_create, can_write_dir
from ...model.fs import Action, Kind, Knowledge, Node
from ...resolve.expand import OpenVars, unknown_tool_variables
from ..state import ToolRun
from .base import ShellContext, Status, deny, is_unknown, owner_for_new, parse_flags
from .files import create_dir
from .unmodelled import not_modelled, open_world


def py_version(name: str, env: dict[str, str]) -> str | None:
    m = re.search(r"(\d\.\d+)", name)
    if m:
        return m.group(1)
    v = env.get("PYTHON_VERSION")
    if v:
        m = re.match(r"(\d\.\d+)", v)
        if m:
            return m.group(1)
    return None


def make_venv(sh: ShellContext, root: str, version: str | None, argv: list[str], interpreter: str | None) -> Status:
    fs = sh.state.fs
    root = sh.path(root)
    if not sh.identity.is_root:
        v = can_create(fs, sh.identity, root) if fs.get(root) is None else can_write_dir(fs, sh.identity, root)
        if v.result is Tri.NO:
            return deny(sh, root, v.reason, argv, v.premises)
    if version is None:
        sh.assume(f"the Python version of the venv {root} is not known (lib/python3.X assumed)")
    pyver = f"python{version}" if version else "python3.X"
    status = create_dir(sh, root, None, argv, True)
    if status:
        return status
    for sub in ("bin", "include", "lib", f"lib/{pyver}", f"lib/{pyver}/site-packages"):
        p = posixpath.join(root, sub)
        if fs.get(p) is None:
            create_dir(sh, p, None, argv, True)
    uid, gid, _ = owner_for_new(sh, root)
    if fs.get(posixpath.join(root, "lib64")) is None:
        fs.put(
            posixpath.join(root, "lib64"),
            Node(Kind.SYMLINK, uid, gid, 0o777, target="lib"),
            sh.cause,
            Action.CREATED,
            "created by venv",
        )
    cfg = posixpath.join(root, "pyvenv.cfg")
    knowledge = Knowledge.BUILT if fs.get(cfg) is None and fs.is_known_absent(cfg) else Knowledge.ASSUMED
    cfg_node = Node(Kind.FILE, uid, gid, 0o666 & ~sh.umask, knowledge).with_tag("venv", root)
    fs.put(cfg, cfg_node, sh.cause, Action.CREATED, "created by venv")
    if interpreter:
        py = posixpath.join(root, "bin", "python")
        if fs.get(py) is None:
            fs.put(py, Node(Kind.SYMLINK, uid, gid, 0o777, target=interpreter), sh.cause, Action.CREATED,
                   "created by venv")  # fmt: skip
    # venv also writes activate scripts and interpreter links into bin, and (unless --without-pip) pip into
    # site-packages: files the model does not list one by one.
    for sub in ("bin", f"lib/{pyver}/site-packages"):
        fs.open_listing(posixpath.join(root, sub))
    sh.state.venvs[root] = sh.cause.line
    return 0


def _interpreter(sh: ShellContext, name: str, env: dict[str, str]) -> str | None:
    if name.startswith("/"):
        return name
    for d in env.get("PATH", "").split(":"):
        cand = posixpath.join(d, name)
        if sh.state.fs.get(cand) is not None:
            return cand
    return None


def unknown_environment(sh: ShellContext, argv: list[str], env: dict[str, str]) -> bool:
    """A tool run whose steering variables venvlint cannot know is not modelled (said), never guessed."""
    names = unknown_tool_variables(env)
    if not names:
        return False
    not_modelled(sh, argv, f"it runs with {', '.join('$' + n for n in names)} not known")
    return True


def record_tool(sh: ShellContext, tool: str, argv: list[str], env: dict[str, str], venv: str | None) -> None:
    run = ToolRun(
        line=sh.cause.line,
        phase="build",
        tool=tool,
        argv=tuple(argv),
        identity=sh.identity,
        env=tuple(sorted(env.items())),
        cwd=sh.cwd,
        stage=sh.state.name,
        venv=venv,
        mounts=sh.raw_mounts,
        umask=sh.umask,
        tentative=sh.tentative,
        env_open=isinstance(env, OpenVars),
        fs=sh.state.fs.copy(),
    )
    sh.state.tool_runs.append(run)


def _env_venv(sh: ShellContext, env: dict[str, str], exe: str | None = None) -> str | None:
    if exe and "/bin/" in exe:
        root = exe.rsplit("/bin/", 1)[0]
        if sh.state.fs.get(posixpath.join(root, "pyvenv.cfg")) is not None:
            return root
    if env.get("VIRTUAL_ENV"):
        return env["VIRTUAL_ENV"]
    for d in env.get("PATH", "").split(":"):
        if d.endswith("/bin"):
            root = d[: -len("/bin")]
            if sh.state.fs.get(posixpath.join(root, "pyvenv.cfg")) is not None:
                return root
    return None


def _open_env_premises(sh: ShellContext, argv: list[str]) -> tuple[Premise, ...]:
    """Where the image's environment is not all known, that it sets none of the variables steering the tool."""
    if not isinstance(sh.vars, OpenVars):
        return ()
    tool = posixpath.basename(argv[0]).split()[0]
    return (
        Premise(
            PremiseKind.COMMAND,
            " ".join(argv),
            Knowledge.ASSUMED,
            sh.cause.line,
            assumption=f"that the base image sets none of the variables that steer {tool} (its environment is not known)",
        ),
    )


def _install_effects(sh: ShellContext, venv: str | None, argv: list[str]) -> Status:
    """Installed files belong to the runner (umask applies); the tool must be able to write site-packages and bin."""
    fs = sh.state.fs
    if venv is None:
        return 0
    dirs = [p for p in fs.walk(venv) if p.endswith("/site-packages")] if fs.get(venv) else []
    targets = [*dirs, posixpath.join(venv, "bin")]
    if not sh.identity.is_root:
        for d in targets:
            if fs.get(d) is None:
                continue
            v = can_write_dir(fs, sh.identity, d)
            if v.result is Tri.NO:
                return deny(sh, d, v.reason, argv, (*v.premises, *_open_env_premises(sh, argv)))
    for d in targets:
        fs.tag(d, "written-by", f"{sh.identity.uid}:{sh.identity.gid}@{sh.cause.line}")
    fs.mark_open(venv, with_parent=False)  # the packages it installed are not modelled one by one
    return 0


def python(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    if unknown_environment(sh, argv, env):
        return 0
    if len(argv) >= 3 and argv[1] == "-m":
        mod = argv[2]
        rest = argv[3:]
        if mod in ("venv", "virtualenv"):
            flags, _, ops = parse_flags(rest, {"--prompt", "-p", "--python"})
            if "--upgrade" in flags:
                venv = sh.path(ops[0]) if ops else None
                record_tool(sh, "venv", argv, env, venv)
                return 0
            if not ops:
                return 0
            version = py_version(argv[0], env)
            return make_venv(sh, ops[0], version, argv, _interpreter(sh, argv[0], env))
        if mod == "pip":
            return pip(sh, [argv[0] + " -m pip", *rest], env, out, append, stdin, exe=argv[0])
        if mod == "poetry":
            return poetry(sh, ["poetry", *rest], env, out, append, stdin)
        if mod == "uv":
            return uv(sh, ["uv", *rest], env, out, append, stdin)
        return not_modelled(sh, argv, f"what `python -m {mod}` writes is not modelled")
    rest = [a for a in argv[1:] if a not in ("-u", "-B", "-O", "-OO", "-E", "-s", "-I")]
    if not rest or rest[0] in ("-V", "--version"):
        if not rest and stdin is None:
            return not_modelled(sh, argv, "it runs a Python script from its input")
        return 0
    return not_modelled(sh, argv, "it runs Python code venvlint cannot see")


def pip(
    sh: ShellContext,
    argv: list[str],
    env: dict[str, str],
    out: str | None,
    append: bool,
    stdin: str | None,
    exe: str | None = None,
) -> Status:
    if unknown_environment(sh, argv, env):
        return 0
    args = argv[1:]
    sub = next((a for a in args if not a.startswith("-")), None)
    if sub not in ("install", "uninstall", "download", "wheel"):
        return 0
    exe = exe or argv[0]
    venv = _env_venv(sh, env, exe if "/" in exe else None)
    flags, values, _ = parse_flags(args, {"--target", "-t", "--prefix", "--root"})
    if "--user" in flags:
        venv_or_user = venv
    else:
        venv_or_user = values.get("--target") or values.get("-t") or values.get("--prefix") or venv
    record_tool(sh, "pip", [posixpath.basename(exe), *args], env, venv_or_user)
    if sub in ("download", "wheel"):
        return 0
    if venv is None or "--user" in flags or venv_or_user != venv:
        open_world(sh, argv)  # a system, --user, --target or --prefix install: where it writes is not modelled
    return _install_effects(sh, venv, argv)


def uv(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    if unknown_environment(sh, argv, env):
        return 0
    args = argv[1:]
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return 0
    cmd = words[0]
    flags, values, ops = parse_flags(
        args, {"--python", "-p", "--project", "--directory", "--cache-dir", "--prefix", "--target"}
    )
    python_opt = values.get("--python") or values.get("-p")
    if cmd == "venv":
        target = ops[1] if len(ops) > 1 else ".venv"
        version = py_version(python_opt or "", env)
        record_tool(sh, "uv", ["uv", *args], env, sh.path(target))
        interp = (
            python_opt if python_opt and python_opt.startswith("/") else uv_interpreter(sh, version, env, ["uv", *args])
        )
        return make_venv(sh, target, version, ["uv", *args], interp)
    if cmd == "pip" and len(words) > 1 and words[1] in ("install", "sync", "uninstall"):
        venv = None
        if python_opt and "/bin/" in python_opt:
            venv = python_opt.rsplit("/bin/", 1)[0]
        elif "--system" not in flags:
            venv = _env_venv(sh, env)
        record_tool(sh, "uv", ["uv", *args], env, venv)
        return _install_effects(sh, venv, argv)
    if cmd in ("sync", "add", "remove", "lock", "run"):
        project = values.get("--project") or values.get("--directory") or sh.cwd
        project = sh.path(project)
        venv = env.get("UV_PROJECT_ENVIRONMENT")
        venv = sh.path(venv) if venv else posixpath.join(project, ".venv")
        record_tool(sh, "uv", ["uv", *args], env, venv)
        if cmd == "lock" or (cmd == "run" and ("--no-sync" in flags or env.get("UV_NO_SYNC"))):
            return 0
        if sh.state.fs.get(venv) is None:
            version = py_version(python_opt or "", env)
            interp = (
                python_opt
                if python_opt and python_opt.startswith("/")
                else uv_interpreter(sh, version, env, ["uv", *args])
            )
            status = make_venv(sh, venv, version, ["uv", *args], interp)
            if status:
                return status
        return _install_effects(sh, venv, argv)
    if cmd in ("tool", "python"):
        record_tool(sh, "uv", ["uv", *args], env, None)
        open_world(sh, ["uv", *args])
    return 0


def uv_interpreter(sh: ShellContext, version: str | None, env: dict[str, str], argv: list[str]) -> str | None:
    """The interpreter uv uses for a new venv: a system Python of the wanted version if the image has one, else
    (unless UV_PYTHON_DOWNLOADS=never) a managed CPython it downloads into UV_PYTHON_INSTALL_DIR or
    ~/.local/share/uv/python, owned by the user running uv (SCENARIOS.md S4, S5)."""
    fs = sh.state.fs
    names = [f"python{version}"] if version else ["python3"]
    for d in ("/usr/local/bin", "/usr/bin", "/opt/app-root/bin"):
        for n in names:
            if fs.get(f"{d}/{n}") is not None:
                return f"{d}/{n}"
    image_version = env.get("PYTHON_VERSION", "")
    other_version = bool(version and image_version and sh.state.profile and not image_version.startswith(version))
    if not other_version and not all(
        fs.is_known_absent(f"{d}/{n}") for d in ("/usr/local/bin", "/usr/bin") for n in names
    ):
        return None  # the image may well have it: do not invent a download
    if env.get("UV_PYTHON_DOWNLOADS", "").lower() in ("never", "manual") or "--python-preference" in env:
        return None
    base = env.get("UV_PYTHON_INSTALL_DIR")
    if not base:
        home = env.get("HOME")
        if not home or is_unknown(home):
            return None  # where uv would put it is not known
        base = posixpath.join(home, ".local/share/uv/python")
    tree = posixpath.join(sh.path(base), f"cpython-{version or '3'}-linux-x86_64-gnu")
    if create_dir(sh, posixpath.join(tree, "bin"), None, argv, True):
        return None
    exe = posixpath.join(tree, "bin", f"python{version or '3'}")
    uid, gid, _ = owner_for_new(sh, posixpath.join(tree, "bin"))
    fs.put(exe, Node(Kind.FILE, uid, gid, 0o755), sh.cause, Action.CREATED, "managed Python downloaded by uv")
    return exe


def poetry(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    if unknown_environment(sh, argv, env):
        return 0
    words = [a for a in argv[1:] if not a.startswith("-")]
    if not words or words[0] not in ("install", "add", "update", "sync"):
        return 0
    venv = env.get("VIRTUAL_ENV")
    if venv is None and env.get("POETRY_VIRTUALENVS_CREATE", "true").lower() in ("false", "0"):
        venv = None
    elif venv is None and env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("true", "1"):
        venv = posixpath.join(sh.cwd, ".venv")
        if sh.state.fs.get(venv) is None:
            status = make_venv(sh, venv, py_version("", env), argv, None)
            if status:
                return status
    record_tool(sh, "poetry", argv, env, venv)
    if venv is None:
        open_world(sh, argv)
    return _install_effects(sh, venv, argv)


def simple_tool(
    sh: ShellContext, argv: list[str], env: dict[str, str], out: str | None, append: bool, stdin: str | None
) -> Status:
    record_tool(sh, posixpath.basename(argv[0]), argv, env, None)
    return not_modelled(sh, argv, "what it writes is not modelled yet")
