"""The facts about Python packaging tools that venvlint relies on, re-measured with the real tools (pinned in .ci/tools)
run as uid 1001 gid 0. One test per fact; docs/MEASUREMENTS.md ("Python tools") records them with the versions, and
docs/TOOLS.md holds the earlier ones. Needs root; skips without it or without the tools venv, and fails
instead when CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import SYSTEM_PYTHON, TOOLS_VENV, Exp, Result, make_venv, mode_of, system_like_python, tool, wheel

pytestmark = pytest.mark.tools

PY311 = "/usr/bin/python3.11"
NO_UV_DOWNLOADS = {"UV_PYTHON_DOWNLOADS": "never"}


@pytest.fixture
def exp(request: pytest.FixtureRequest) -> Iterator[Exp]:
    tool("python")  # root, setpriv, the tools venv and the wheels, or skip (fail in CI)
    e = Exp(re.sub(r"\W", "", request.node.name)[:24])
    try:
        yield e
    finally:
        e.cleanup()


def ni(e: Exp) -> list[str]:
    return ["--no-index", "--find-links", str(e.wheels)]


def pip_venv(e: Exp, rel: str = "app", owner_user: bool = True) -> Path:
    """A venv (Debian's python3.11) with the pinned pip, owned by the user unless told otherwise."""
    return make_venv(e, rel, "pip==" + wheel("pip-").name.split("-")[1], owner_user=owner_user)


# ------------------------------------------------------------------------------------------------------------- pip
@pytest.mark.parametrize("form", ["pip", "pip3", "python -m pip", "VENV/bin/pip"])
def test_pip_forms_fail_alike_on_readonly_site_packages(exp: Exp, form: str) -> None:
    v = pip_venv(exp)
    exp.lock("app/lib/python3.11/site-packages")
    cmd = form.replace("VENV", str(v)).split()
    r = exp.run([*cmd, "install", *ni(exp), "cowsay"], path=f"{v}/bin:/usr/bin:/bin")
    assert r.rc == 1, r
    assert f"[Errno 13] Permission denied: '{v}/lib/python3.11/site-packages/cowsay'" in r.out, r


def test_pip_leaves_a_partial_install_when_bin_is_readonly(exp: Exp) -> None:
    v = pip_venv(exp)
    exp.lock("app/bin")
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "cowsay"])
    assert r.rc == 1, r
    assert f"Permission denied: '{v}/bin/cowsay'" in r.out, r
    assert r.has("app/lib/python3.11/site-packages/cowsay"), r  # not rolled back


def test_pip_falls_back_to_user_install_when_system_site_is_readonly(exp: Exp) -> None:
    py = system_like_python(exp)
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"])
    assert r.rc == 0, r
    assert "Defaulting to user installation because normal site-packages is not writeable" in r.out, r
    assert r.has("home/.local/bin/cowsay"), r
    assert r.has("home/.local/lib/python3.11/site-packages/cowsay"), r


def test_pip_user_fallback_fails_when_home_is_readonly(exp: Exp) -> None:
    py = system_like_python(exp)
    exp.lock("home")
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"])
    assert r.rc == 1, r
    assert "Defaulting to user installation" in r.out, r
    assert f"[Errno 13] Permission denied: '{exp.home}/.local'" in r.out, r
    assert "The cache has been disabled" in r.out, r  # ~/.cache/pip only warns


def test_pip_user_fallback_creates_a_missing_home_and_its_parents(exp: Exp) -> None:
    py = system_like_python(exp)
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env={"HOME": str(exp.work / "a/b/home")})
    assert r.rc == 0, r
    assert r.has("work/a") and r.has("work/a/b/home/.local/bin/cowsay"), r


def test_pip_user_fallback_with_home_missing_under_a_readonly_parent_fails(exp: Exp) -> None:
    py = system_like_python(exp)
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env={"HOME": str(exp.dir / "nohome/x")})
    assert r.rc == 1, r
    assert f"Permission denied: '{exp.dir}/nohome'" in r.out, r


def test_pythonuserbase_moves_the_user_install_and_is_created(exp: Exp) -> None:
    py = system_like_python(exp)
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env={"PYTHONUSERBASE": str(exp.work / "ub/x")})
    assert r.rc == 0, r
    assert r.has("work/ub/x/bin/cowsay") and r.has("work/ub/x/lib/python3.11/site-packages/cowsay"), r
    assert not any(c.startswith("home/.local") for c in r.created), r


def test_pip_user_fallback_into_pythonuserbase_below_a_readonly_parent_fails(exp: Exp) -> None:
    """The fallback does not look at the user base before choosing it: it falls back, then cannot create it."""
    py = system_like_python(exp)
    exp.lock("opt")
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "six"], env={"PYTHONUSERBASE": str(exp.dir / "opt/pyuser")})
    assert r.rc == 1, r
    assert "Defaulting to user installation" in r.out, r
    assert f"[Errno 13] Permission denied: '{exp.dir}/opt/pyuser'" in r.out, r


def test_pip_user_fallback_into_pythonuserbase_needs_no_home(exp: Exp) -> None:
    py = system_like_python(exp)
    exp.lock("home")
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env={"PYTHONUSERBASE": str(exp.work / "pyuser")})
    assert r.rc == 0, r
    assert r.has("work/pyuser/bin/cowsay") and r.has("work/pyuser/lib/python3.11/site-packages/cowsay"), r
    assert "The cache has been disabled" in r.out, r  # ~/.cache/pip only warns


def test_pip_user_fallback_into_a_pythonuserbase_root_filled_fails(exp: Exp) -> None:
    """Root's `pip install --user` made the shared user base's directories, root-owned 0755."""
    py = system_like_python(exp)
    base = exp.dir / "shared"
    r0 = exp.as_root([py, "-m", "pip", "install", "--user", *ni(exp), "six"], env={"PYTHONUSERBASE": str(base)})
    assert r0.rc == 0, r0
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env={"PYTHONUSERBASE": str(base)})
    assert r.rc == 1, r
    assert "Defaulting to user installation" in r.out, r
    assert f"[Errno 13] Permission denied: '{base}/lib/python3.11/site-packages/cowsay'" in r.out, r


def test_pip_user_base_itself_need_not_be_writable(exp: Exp) -> None:
    """A root-owned user base whose site-packages the user owns: packages install, console scripts need `bin`;
    an empty root-owned base fails on the first directory pip makes in it."""
    py = system_like_python(exp)
    exp.user_dir("ub/lib/python3.11/site-packages")
    for rel in ("ub", "ub/lib", "ub/lib/python3.11"):
        exp.lock(rel)
    env = {"PYTHONUSERBASE": str(exp.dir / "ub")}
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "six"], env=env)
    assert r.rc == 0, r
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env=env)
    assert r.rc == 1 and f"Permission denied: '{exp.dir}/ub/bin'" in r.out, r
    exp.lock("empty")
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "six"], env={"PYTHONUSERBASE": str(exp.dir / "empty")})
    assert r.rc == 1 and f"Permission denied: '{exp.dir}/empty/lib'" in r.out, r


@pytest.mark.parametrize(
    ("how", "env", "args"),
    [
        ("PYTHONNOUSERSITE", {"PYTHONNOUSERSITE": "1"}, []),
        ("PIP_USER=0", {"PIP_USER": "0"}, []),
        ("PIP_USER=false", {"PIP_USER": "false"}, []),
        ("--no-user", {}, ["--no-user"]),
        ("python -s", {}, ["-s"]),
    ],
)
def test_no_user_fallback_means_permission_denied_on_system_site(
    exp: Exp, how: str, env: dict[str, str], args: list[str]
) -> None:
    py = system_like_python(exp)
    cmd = [py, "-s", "-m", "pip", "install"] if args == ["-s"] else [py, "-m", "pip", "install", *args]
    r = exp.run([*cmd, *ni(exp), "cowsay"], env=dict(env))
    assert r.rc == 1, (how, r)
    assert "Defaulting to user installation" not in r.out
    assert f"Permission denied: '{exp.dir}/py/local/lib/python3.11/dist-packages/cowsay'" in r.out, (how, r)


def test_explicit_user_with_user_site_disabled_is_refused(exp: Exp) -> None:
    py = system_like_python(exp)
    r = exp.run([py, "-m", "pip", "install", "--user", *ni(exp), "six"], env={"PYTHONNOUSERSITE": "1"})
    assert r.rc == 1, r
    assert "Can not perform a '--user' install. User site-packages are disabled for this Python." in r.out, r


def test_pip_without_home_and_passwd_entry_crashes(exp: Exp) -> None:
    """uid 1001 has no passwd entry here: with HOME unset pip 26 cannot start at all."""
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", "--no-cache-dir", *ni(exp), "six"], env={"HOME": None})
    assert r.rc == 1, r
    assert "could not determine the home directory for '~/.cache', set HOME or an absolute XDG variable" in r.out, r


def test_pip_user_base_without_home_is_a_literal_tilde_in_cwd(exp: Exp) -> None:
    py = system_like_python(exp)
    env = {"HOME": None, "XDG_CACHE_HOME": str(exp.work / "xc"), "XDG_CONFIG_HOME": str(exp.work / "xg")}
    r = exp.run([py, "-m", "pip", "install", *ni(exp), "cowsay"], env=env)
    assert r.rc == 0, r
    assert r.has("work/~/.local/bin/cowsay"), r


@pytest.mark.parametrize("value", ["1", "yes"])
def test_pip_user_inside_a_venv_is_refused(exp: Exp, value: str) -> None:
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "six"], env={"PIP_USER": value})
    assert r.rc == 1, r
    assert "Can not perform a '--user' install. User site-packages are not visible in this virtualenv." in r.out


def test_root_owned_venv_with_system_site_packages_falls_back_to_user(exp: Exp) -> None:
    r0 = exp.as_root([PY311, "-m", "venv", "--system-site-packages", exp.dir / "v"])
    assert r0.rc == 0, r0
    r = exp.run([exp.dir / "v/bin/python", "-m", "pip", "install", *ni(exp), "cowsay"])
    assert r.rc == 0, r
    assert "Defaulting to user installation" in r.out and r.has("home/.local/bin/cowsay"), r


def test_root_owned_venv_does_not_fall_back(exp: Exp) -> None:
    v = pip_venv(exp, owner_user=False)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "cowsay"])
    assert r.rc == 1, r
    assert "Defaulting" not in r.out and f"Permission denied: '{v}/lib/python3.11/site-packages/cowsay'" in r.out


@pytest.mark.parametrize("pip_form", ["debian", "pinned"])
def test_debian_python_is_externally_managed_then_falls_back(exp: Exp, pip_form: str) -> None:
    pip = ["-m", "pip"] if pip_form == "debian" else [f"{exp.wheels / wheel('pip-').name}/pip"]
    r = exp.run([SYSTEM_PYTHON, *pip, "install", *ni(exp), "cowsay"])
    assert r.rc == 1 and "error: externally-managed-environment" in r.out, r
    r = exp.run([SYSTEM_PYTHON, *pip, "install", *ni(exp), "cowsay"], env={"PIP_BREAK_SYSTEM_PACKAGES": "1"})
    assert r.rc == 0 and "Defaulting to user installation" in r.out, r
    assert r.has("home/.local/bin/cowsay"), r


def test_pip_target_creates_missing_target_with_parents_and_bin(exp: Exp) -> None:
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--target", exp.work / "t/a/b", "cowsay"])
    assert r.rc == 0, r
    assert r.has("work/t") and r.has("work/t/a/b/cowsay") and r.has("work/t/a/b/bin/cowsay"), r


def test_pip_target_env_var(exp: Exp) -> None:
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "six"], env={"PIP_TARGET": str(exp.work / "pt")})
    assert r.rc == 0 and r.has("work/pt/six.py"), r


def test_pip_target_under_readonly_parent_fails(exp: Exp) -> None:
    v = pip_venv(exp)
    exp.lock("ro")
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--target", exp.dir / "ro/t", "cowsay"])
    assert r.rc == 2, r
    assert f"PermissionError: [Errno 13] Permission denied: '{exp.dir}/ro/t'" in r.out, r


def test_pip_target_existing_readonly_fails_after_staging_in_tmp(exp: Exp) -> None:
    v = pip_venv(exp)
    exp.lock("tgt")
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--target", exp.dir / "tgt", "cowsay"])
    assert r.rc == 2, r
    assert re.search(r"Permission denied: '/tmp/pip-target-\w+/lib/python/cowsay' -> '" + str(exp.dir), r.out), r


def test_pip_target_silently_skips_an_existing_bin(exp: Exp) -> None:
    v = pip_venv(exp)
    exp.user_dir("work/tgt")
    exp.lock("work/tgt/bin")
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--target", exp.work / "tgt", "cowsay"])
    assert r.rc == 0, r
    assert f"WARNING: Target directory {exp.work}/tgt/bin already exists. Specify --upgrade" in r.out, r
    assert r.has("work/tgt/cowsay") and not (exp.work / "tgt/bin/cowsay").exists(), r


def test_pip_prefix_creates_missing_prefix(exp: Exp) -> None:
    v = pip_venv(exp)
    r = exp.run(
        [v / "bin/python", "-m", "pip", "install", *ni(exp), "cowsay"], env={"PIP_PREFIX": str(exp.work / "p/x")}
    )
    assert r.rc == 0, r
    assert r.has("work/p/x/bin/cowsay") and r.has("work/p/x/lib/python3.11/site-packages/cowsay"), r
    exp.lock("pro")
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--prefix", exp.dir / "pro", "cowsay"])
    assert r.rc == 1 and f"Permission denied: '{exp.dir}/pro/lib'" in r.out, r


def test_pip_root_prepends_the_whole_scheme(exp: Exp) -> None:
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--root", exp.work / "r", "cowsay"])
    assert r.rc == 0, r
    assert r.has(f"work/r{v}/bin/cowsay"), r


def _git_repo(e: Exp) -> Path:
    with tarfile.open(e.wheels / "sdpkg-1.0.tar.gz") as tf:
        tf.extractall(e.dir / "x", filter="data")
    repo = e.dir / "repo"
    shutil.move(e.dir / "x/sdpkg-1.0", repo)
    for cmd in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "i"]):
        subprocess.run(["git", *cmd], cwd=repo, check=True, capture_output=True)
    e.chown_user("repo")  # git refuses a repository of another owner ("dubious ownership")
    return repo


@pytest.mark.parametrize("where", ["venv", "venv-readonly", "system-cwd", "system-src"])
def test_pip_editable_vcs_checkout_location(exp: Exp, where: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git missing") if os.environ.get("CI") != "true" else pytest.fail("git missing")
    url = f"git+file://{_git_repo(exp)}#egg=sdpkg"
    if where.startswith("venv"):
        py = pip_venv(exp) / "bin/python"
        if where == "venv-readonly":
            exp.lock("app")
    else:
        py = system_like_python(exp)
    extra = ["--src", str(exp.work / "s/x")] if where == "system-src" else []
    r = exp.run([py, "-m", "pip", "install", *ni(exp), *extra, "-e", url])
    if where == "venv-readonly":
        assert r.rc == 1 and f"Permission denied: '{exp.dir}/app/src'" in r.out, r
        return
    assert r.rc == 0, r
    checkout = {"venv": "app/src/sdpkg", "system-cwd": "work/src/sdpkg", "system-src": "work/s/x/sdpkg"}[where]
    assert r.has(checkout + "/.git"), r


@pytest.mark.parametrize("value", ["1", "0", "false", "off"])
def test_pip_no_cache_dir_any_boolean_disables_the_cache(exp: Exp, value: str) -> None:
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "sdpkg"], env={"PIP_NO_CACHE_DIR": value})
    assert r.rc == 0, r
    assert not any(c.startswith("home/.cache") for c in r.created), r


def test_pip_no_cache_dir_invalid_or_empty(exp: Exp) -> None:
    v = pip_venv(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "sdpkg"], env={"PIP_NO_CACHE_DIR": "maybe"})
    assert r.rc == 2 and "--no-cache-dir error: invalid truth value 'maybe'" in r.out, r
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "sdpkg"], env={"PIP_NO_CACHE_DIR": ""})
    assert r.rc == 0 and r.has("home/.cache/pip/wheels"), r  # empty = unset: the built wheel is cached


@pytest.mark.parametrize(
    ("env", "cache"),
    [({}, "home/.cache/pip"), ({"PIP_CACHE_DIR": "W/pc"}, "work/pc"), ({"XDG_CACHE_HOME": "W/x"}, "work/x/pip")],
)
def test_pip_cache_location(exp: Exp, env: dict[str, str], cache: str) -> None:
    v = pip_venv(exp)
    env = {k: val.replace("W/", f"{exp.work}/") for k, val in env.items()}
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "sdpkg"], env=dict(env))
    assert r.rc == 0 and r.has(cache + "/wheels"), r


def test_pip_unwritable_cache_only_warns(exp: Exp) -> None:
    v = pip_venv(exp)
    exp.lock("home")
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "sdpkg"])
    assert r.rc == 0, r
    assert f"WARNING: The directory '{exp.home}/.cache/pip' or its parent directory is not owned" in r.out, r


def test_pip_uninstall_not_installed_succeeds_and_writes_nothing(exp: Exp) -> None:
    v = pip_venv(exp)
    exp.lock("home")
    r = exp.run([v / "bin/python", "-m", "pip", "uninstall", "-y", "notinstalled"])
    assert r.rc == 0 and "WARNING: Skipping notinstalled as it is not installed." in r.out, r
    assert r.created == [], r


def group_shared_venv_with_a_root_install(e: Exp) -> Path:
    """A venv made group-writable for gid 0 (root-owned, `chmod -R g+w`), then `purepkg 1.0` installed into it by
    root with umask 022: its directories are 0:0 0755, as after a root `pip install` that follows a group fix."""
    v = pip_venv(e, owner_user=False)
    r = e.as_root(["sh", "-c", f"chgrp -R 0 {v} && chmod -R g+w {v} && umask 022 && {v}/bin/python -m pip install "
                   f"-q --no-index --find-links {e.wheels} purepkg==1.0"])  # fmt: skip
    assert r.rc == 0, r
    assert mode_of(v / "lib/python3.11/site-packages/purepkg") == "0o755"
    return v


def test_pip_upgrade_of_a_root_installed_package_leaves_root_owned_leftovers(exp: Exp) -> None:
    v = group_shared_venv_with_a_root_install(exp)
    r = exp.run([v / "bin/python", "-m", "pip", "install", *ni(exp), "--upgrade", "purepkg"])
    assert r.rc == 0, r  # it works, but cannot delete the old files
    assert "Failed to remove contents in a temporary directory" in r.out, r
    assert r.has("app/lib/python3.11/site-packages/purepkg-2.0.dist-info"), r
    site = v / "lib/python3.11/site-packages"
    assert (site / "~urepkg").is_dir() and (site / "~urepkg").stat().st_uid == 0, r


def test_uv_upgrade_of_a_root_installed_package_fails(exp: Exp) -> None:
    v = group_shared_venv_with_a_root_install(exp)
    r = exp.run([tool("uv"), "pip", "install", "--python", v / "bin/python", *ni(exp), "--upgrade", "purepkg"],
                env={"UV_CACHE_DIR": str(exp.work / "uvc")})  # fmt: skip
    assert r.rc == 2, r
    assert "failed to remove file" in r.out and "Permission denied (os error 13)" in r.out, r


# ------------------------------------------------------------------------------------------------ bytecode compiling
def _sources(e: Exp) -> Path:
    src = e.user_dir("work/src")
    e.user_dir("work/src/sub")
    for rel in ("m.py", "sub/n.py"):
        (src / rel).write_text("x = 1\n")
        os.chown(src / rel, 1001, 0)
    return src


def test_py_compile_writes_pycache_next_to_the_source(exp: Exp) -> None:
    src = _sources(exp)
    r = exp.run([PY311, "-m", "py_compile", src / "m.py"], env={"PYTHONDONTWRITEBYTECODE": "1"}, pycache=True)
    assert r.rc == 0 and r.has("work/src/__pycache__/m.cpython-311.pyc"), r  # the variable does not stop it


def test_py_compile_fails_when_the_source_dir_is_unwritable(exp: Exp) -> None:
    src = _sources(exp)
    exp.lock("work/src")
    r = exp.run([PY311, "-m", "py_compile", src / "m.py"], pycache=True)
    assert r.rc == 1, r
    assert f"[Errno 13] Permission denied: '{src}/__pycache__'" in r.out, r


def test_pycache_prefix_moves_the_bytecode(exp: Exp) -> None:
    src = _sources(exp)
    exp.lock("work/src")
    r = exp.run(
        [PY311, "-m", "compileall", "-q", src], env={"PYTHONPYCACHEPREFIX": str(exp.work / "pfx")}, pycache=True
    )
    assert r.rc == 0, r
    assert r.has(f"work/pfx{src}/m.cpython-311.pyc"), r


def test_compileall_fails_per_unwritable_dir_and_compiles_the_rest(exp: Exp) -> None:
    src = _sources(exp)
    exp.lock("work/src")
    r = exp.run([PY311, "-m", "compileall", "-q", src], pycache=True)
    assert r.rc == 1, r
    assert f"*** Error compiling '{src}/m.py'" in r.out and f"Permission denied: '{src}/__pycache__'" in r.out, r
    assert r.has("work/src/sub/__pycache__/n.cpython-311.pyc"), r


def test_compileall_legacy_b_writes_next_to_the_source(exp: Exp) -> None:
    src = _sources(exp)
    r = exp.run([PY311, "-m", "compileall", "-q", "-b", src], pycache=True)
    assert r.rc == 0 and r.has("work/src/m.pyc") and r.has("work/src/sub/n.pyc"), r


def test_compileall_missing_dir_exits_zero(exp: Exp) -> None:
    r = exp.run([PY311, "-m", "compileall", "-q", exp.work / "nope"])
    assert r.rc == 0 and "Can't list" in r.out, r


# -------------------------------------------------------------------------------------------------------------- uv
def uv_project(e: Exp, *syncs: list[str]) -> Path:
    """A uv project (six, dev group idna, local wheels only), locked and synced by root: `.venv` is root-owned."""
    d = e.dir / "proj"
    d.mkdir()
    (d / "pyproject.toml").write_text(
        '[project]\nname = "proj"\nversion = "1.0"\nrequires-python = ">=3.11"\ndependencies = ["six"]\n'
        '[dependency-groups]\ndev = ["idna"]\n'
        f'[tool.uv]\nno-index = true\nfind-links = ["{e.wheels}"]\n'
    )
    (d / "app.py").write_text("import six\nprint('ok')\n")
    env = {"UV_CACHE_DIR": str(e.dir / "rootcache"), "UV_PYTHON": PY311, **NO_UV_DOWNLOADS}
    for cmd in (["lock"], *syncs):
        r = e.as_root([TOOLS_VENV / "bin/uv", *cmd], cwd=d, env=env)
        assert r.rc == 0, r
    return d


def uv(e: Exp, d: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return e.run([tool("uv"), *args], cwd=d, env={**NO_UV_DOWNLOADS, **(env or {})})


def test_uv_sync_creates_the_environment_in_an_empty_directory(exp: Exp) -> None:
    d = uv_project(exp)
    exp.user_dir(f"{d.relative_to(exp.dir)}/.venv")
    r = uv(exp, d, "sync", "--locked", "--offline")
    assert r.rc == 0 and "Creating virtual environment at: .venv" in r.out, r
    assert (d / ".venv/pyvenv.cfg").is_file(), r


def test_uv_sync_refuses_a_non_empty_directory_that_is_not_an_environment(exp: Exp) -> None:
    d = uv_project(exp)
    exp.user_dir(f"{d.relative_to(exp.dir)}/.venv")
    (d / ".venv/junk").write_text("x")
    r = uv(exp, d, "sync", "--locked", "--offline")
    assert r.rc == 2 and "cannot be used because it is not a valid Python environment" in r.out, r


def test_uv_run_after_locked_sync_writes_only_the_cache(exp: Exp) -> None:
    d = uv_project(exp, ["sync", "--locked"])
    r = uv(exp, d, "run", "python", "app.py")
    assert r.rc == 0 and "ok" in r.out, r
    assert all(c == "home/.cache" or c.startswith("home/.cache/uv") for c in r.created) and r.has(
        "home/.cache/uv/CACHEDIR.TAG"
    ), r


def test_uv_run_needs_a_cache_even_with_no_sync(exp: Exp) -> None:
    d = uv_project(exp, ["sync", "--locked"])
    exp.lock("home")
    r = uv(exp, d, "run", "--no-sync", "python", "app.py")
    assert r.rc == 2, r
    assert f"error: Failed to initialize cache at `{exp.home}/.cache/uv`" in r.out, r
    r = uv(exp, d, "run", "python", "app.py", env={"UV_NO_CACHE": "1"})
    assert r.rc == 0 and r.created == [], r


def test_uv_no_cache_needs_tmpdir(exp: Exp) -> None:
    d = uv_project(exp, ["sync", "--locked"])
    exp.lock("rotmp")
    r = uv(exp, d, "run", "--no-cache", "python", "app.py", env={"TMPDIR": str(exp.dir / "rotmp")})
    assert r.rc == 2 and f'Permission denied (os error 13) at path "{exp.dir}/rotmp/.tmp' in r.out, r


def test_uv_without_home_uses_dot_uv_cache_in_cwd(exp: Exp) -> None:
    d = uv_project(exp, ["sync", "--locked"])
    r = uv(exp, d, "run", "python", "app.py", env={"HOME": None})
    assert r.rc == 2 and "error: Failed to initialize cache at `.uv_cache`" in r.out, r


@pytest.mark.parametrize(
    ("env", "cache"), [({"UV_CACHE_DIR": "W/c/d"}, "work/c/d"), ({"XDG_CACHE_HOME": "W/x"}, "work/x/uv")]
)
def test_uv_cache_moves(exp: Exp, env: dict[str, str], cache: str) -> None:
    d = uv_project(exp, ["sync", "--locked"])
    exp.lock("home")
    r = uv(exp, d, "run", "python", "app.py", env={k: v.replace("W/", f"{exp.work}/") for k, v in env.items()})
    assert r.rc == 0 and r.has(cache + "/CACHEDIR.TAG"), r


@pytest.mark.parametrize("flag", ["", "--frozen", "--locked"])
def test_uv_run_resyncs_the_dev_group_after_no_dev_sync(exp: Exp, flag: str) -> None:
    d = uv_project(exp, ["sync", "--locked", "--no-dev"])
    r = uv(exp, d, "run", *([flag] if flag else []), "python", "app.py")
    assert r.rc == 2, r
    assert "Failed to install: idna-3.20-py3-none-any.whl (idna==3.20)" in r.out, r
    assert f"failed to create directory `{d}/.venv/lib/python3.11/site-packages/idna`" in r.out, r


@pytest.mark.parametrize("how", ["--no-sync", "--no-dev", "UV_NO_DEV=1"])
def test_uv_run_without_resync(exp: Exp, how: str) -> None:
    d = uv_project(exp, ["sync", "--locked", "--no-dev"])
    args, env = ([how], {}) if how.startswith("--") else ([], {"UV_NO_DEV": "1"})
    r = uv(exp, d, "run", *args, "python", "app.py", env=dict(env))
    assert r.rc == 0 and "ok" in r.out, r


@pytest.mark.parametrize(
    ("value", "syncs"),
    [
        ("1", False),
        ("true", False),
        ("yes", False),
        ("on", False),
        ("0", True),
        ("false", True),
        ("no", True),
        ("off", True),
    ],
)
def test_uv_no_sync_boolean_parsing(exp: Exp, value: str, syncs: bool) -> None:
    d = uv_project(exp, ["sync", "--locked", "--no-dev"])
    r = uv(exp, d, "run", "python", "app.py", env={"UV_NO_SYNC": value})
    assert (r.rc == 2) == syncs, r  # a sync tries to install idna into the root-owned .venv


@pytest.mark.parametrize("value", ["", "maybe"])
def test_uv_no_sync_rejects_non_booleans(exp: Exp, value: str) -> None:
    d = uv_project(exp, ["sync", "--locked", "--no-dev"])
    r = uv(exp, d, "run", "python", "app.py", env={"UV_NO_SYNC": value})
    assert r.rc == 2, r
    assert f"error: Failed to parse environment variable `UV_NO_SYNC` with invalid value `{value}`" in r.out, r


def test_uv_run_creates_dot_venv_in_the_project(exp: Exp) -> None:
    d = uv_project(exp)
    r = uv(exp, d, "run", "python", "app.py")
    assert r.rc == 2 and f"error: failed to create directory `{d}/.venv`: Permission denied" in r.out, r


def test_uv_relocatable_venv_creates_parents_and_survives_a_move(exp: Exp) -> None:
    venv = exp.work / "a/b/venv"
    env = {"UV_NO_CACHE": "1", **NO_UV_DOWNLOADS}
    r = exp.run([tool("uv"), "venv", "--relocatable", "--python", PY311, venv], env=env)
    assert r.rc == 0 and r.has("work/a") and r.has("work/a/b/venv/pyvenv.cfg"), r
    r = exp.run([tool("uv"), "pip", "install", "--python", venv / "bin/python", *ni(exp), "cowsay"], env=env)
    assert r.rc == 0, r
    script = (venv / "bin/cowsay").read_text().splitlines()
    assert script[0] == "#!/bin/sh" and "realpath" in script[1], script
    assert "relocatable = true" in (venv / "pyvenv.cfg").read_text()
    os.rename(venv, exp.work / "moved")
    r = exp.run([exp.work / "moved/bin/cowsay", "-t", "hi"])
    assert r.rc == 0 and "hi" in r.out, r


def test_uv_venv_parent_must_be_writable(exp: Exp) -> None:
    exp.lock("ro")
    r = exp.run([tool("uv"), "venv", "--python", PY311, exp.dir / "ro/x/venv"], env={"UV_NO_CACHE": "1"})
    assert r.rc == 2 and f"failed to create directory `{exp.dir}/ro/x/venv`: Permission denied" in r.out, r


def test_uv_tool_install_default_dirs(exp: Exp) -> None:
    env = {"UV_NO_CACHE": "1", "UV_PYTHON": PY311, **NO_UV_DOWNLOADS}
    r = exp.run([tool("uv"), "tool", "install", *ni(exp), "cowsay"], env=env)
    assert r.rc == 0, r
    assert r.has("home/.local/share/uv/tools/cowsay/bin/cowsay") and r.has("home/.local/bin/cowsay"), r
    assert os.readlink(exp.home / ".local/bin/cowsay") == f"{exp.home}/.local/share/uv/tools/cowsay/bin/cowsay"


def test_uv_tool_install_fails_on_readonly_bin_dir_after_making_the_env(exp: Exp) -> None:
    exp.lock("home/.local/bin")
    env = {"UV_NO_CACHE": "1", "UV_PYTHON": PY311, **NO_UV_DOWNLOADS}
    r = exp.run([tool("uv"), "tool", "install", *ni(exp), "cowsay"], env=env)
    assert r.rc == 2 and "error: Failed to install executable" in r.out, r
    assert r.has("home/.local/share/uv/tools/cowsay/bin/cowsay"), r


@pytest.mark.parametrize(
    ("env", "data", "bindir"),
    [
        ({"UV_TOOL_DIR": "W/td", "UV_TOOL_BIN_DIR": "W/tb"}, "work/td", "work/tb"),
        ({"XDG_DATA_HOME": "W/xd", "XDG_BIN_HOME": "W/xb"}, "work/xd/uv/tools", "work/xb"),
    ],
)
def test_uv_tool_dirs_move(exp: Exp, env: dict[str, str], data: str, bindir: str) -> None:
    exp.lock("home")
    full = {"UV_NO_CACHE": "1", "UV_PYTHON": PY311, **NO_UV_DOWNLOADS}
    full.update({k: v.replace("W/", f"{exp.work}/") for k, v in env.items()})
    r = exp.run([tool("uv"), "tool", "install", *ni(exp), "cowsay"], env=full)
    assert r.rc == 0 and r.has(f"{data}/cowsay/bin/cowsay") and r.has(f"{bindir}/cowsay"), r


def test_uv_pip_target_and_prefix_create_missing_dirs(exp: Exp) -> None:
    v = make_venv(exp, "app")
    env = {"UV_NO_CACHE": "1"}
    py = ["--python", str(v / "bin/python")]
    r = exp.run([tool("uv"), "pip", "install", *py, *ni(exp), "--target", exp.work / "t/a", "cowsay"], env=env)
    assert r.rc == 0 and r.has("work/t/a/cowsay") and r.has("work/t/a/bin/cowsay") and r.has("work/t/a/.lock"), r
    r = exp.run([tool("uv"), "pip", "install", *py, *ni(exp), "--prefix", exp.work / "p/x", "cowsay"], env=env)
    assert r.rc == 0 and r.has("work/p/x/bin/cowsay") and r.has("work/p/x/lib/python3.11/site-packages/cowsay"), r


def test_uv_pip_user_and_system(exp: Exp) -> None:
    env = {"UV_NO_CACHE": "1"}
    r = exp.run([tool("uv"), "pip", "install", "--user", *ni(exp), "six"], env=env)
    assert r.rc == 2 and "pip's `--user` is unsupported (use a virtual environment instead)" in r.out, r
    r = exp.run([tool("uv"), "pip", "install", "--system", "--python", PY311, *ni(exp), "cowsay"], env=env)
    assert r.rc == 2 and "error: The interpreter at `/usr` is externally managed" in r.out, r
    args = ["--system", "--break-system-packages", "--python", PY311]
    r = exp.run([tool("uv"), "pip", "install", *args, *ni(exp), "cowsay"], env=env)
    assert r.rc == 2 and "failed to create directory `/usr/local/lib/python3.11/dist-packages/cowsay`" in r.out, r


def test_uv_compile_bytecode_writes_pycache_and_ignores_failures(exp: Exp) -> None:
    v = make_venv(exp, "app")
    env = {"UV_NO_CACHE": "1", "UV_COMPILE_BYTECODE": "1"}
    cmd = [tool("uv"), "pip", "install", "--python", v / "bin/python", *ni(exp), "six"]
    r = exp.run(cmd, env=env, pycache=True)
    assert r.rc == 0 and r.has("app/lib/python3.11/site-packages/__pycache__/six.cpython-311.pyc"), r
    shutil.rmtree(exp.dir / "app/lib/python3.11/site-packages/__pycache__")
    exp.run([tool("uv"), "pip", "uninstall", "--python", v / "bin/python", "six"], env=env)
    exp.lock("app/lib/python3.11/site-packages/__pycache__")
    r = exp.run(cmd, env=env, pycache=True)
    assert r.rc == 0 and not any(c.endswith(".pyc") for c in r.created), r  # silently no bytecode


def test_uv_symlink_link_mode_points_into_the_cache(exp: Exp) -> None:
    v = make_venv(exp, "app")
    r = exp.run(
        [tool("uv"), "pip", "install", "--python", v / "bin/python", *ni(exp), "six"], env={"UV_LINK_MODE": "symlink"}
    )
    assert r.rc == 0, r
    target = os.readlink(v / "lib/python3.11/site-packages/six.py")
    assert target.startswith(f"{exp.home}/.cache/uv/"), target  # the runtime needs the cache readable


# -------------------------------------------------------------------------------------------------- virtualenv, pipx
def test_virtualenv_creates_parents_and_app_data_in_cache(exp: Exp) -> None:
    r = exp.run([tool("virtualenv"), exp.work / "a/b/v"], env={"VIRTUALENV_PYTHON": PY311})
    assert r.rc == 0 and r.has("work/a") and r.has("work/a/b/v/bin/python"), r
    assert r.has("home/.cache/virtualenv/wheel") and r.has("home/.cache/virtualenv/py_info"), r


def test_virtualenv_survives_readonly_home_and_app_data_moves(exp: Exp) -> None:
    exp.lock("home")
    r = exp.run([tool("virtualenv"), exp.work / "v"], env={"VIRTUALENV_PYTHON": PY311})
    assert r.rc == 0 and r.has("work/v/bin/pip"), r
    env = {"VIRTUALENV_PYTHON": PY311, "VIRTUALENV_OVERRIDE_APP_DATA": str(exp.work / "ad")}
    r = exp.run([tool("virtualenv"), exp.work / "v2"], env=env)
    assert r.rc == 0 and r.has("work/ad/wheel"), r


def test_virtualenv_destination_parent_must_be_writable(exp: Exp) -> None:
    exp.lock("ro")
    r = exp.run([tool("virtualenv"), exp.dir / "ro/v"], env={"VIRTUALENV_PYTHON": PY311})
    assert (
        r.rc == 2 and f"virtualenv: error: argument dest: the destination . is not write-able at {exp.dir}/ro" in r.out
    )


def pipx(e: Exp, *args: str, env: dict[str, str] | None = None) -> Result:
    cmd = [tool("pipx"), *args, f"--pip-args=--no-index --find-links {e.wheels}", str(e.wheels / wheel("cowsay-").name)]
    return e.run(cmd, env={"PIPX_DEFAULT_PYTHON": PY311, "PIPX_DEFAULT_BACKEND": "pip", **(env or {})})


def test_pipx_default_dirs(exp: Exp) -> None:
    r = pipx(exp, "install")
    assert r.rc == 0, r
    for rel in ("home/.local/share/pipx/venvs/cowsay", "home/.local/share/pipx/shared", "home/.local/bin/cowsay",
                "home/.local/state/pipx/log", "home/.cache/pipx"):  # fmt: skip
        assert r.has(rel), (rel, r)


def test_pipx_fails_on_readonly_home_and_its_dirs_move(exp: Exp) -> None:
    exp.lock("home")
    r = pipx(exp, "install")
    assert r.rc == 1 and f"No such file or directory: '{exp.home}/.local/state/pipx/log'" in r.out, r
    dirs = {
        "PIPX_HOME": str(exp.work / "ph"),
        "PIPX_BIN_DIR": str(exp.work / "pb"),
        "PIPX_MAN_DIR": str(exp.work / "pm"),
    }
    r = pipx(exp, "install", env=dirs)
    assert r.rc == 0 and r.has("work/ph/venvs/cowsay") and r.has("work/pb/cowsay") and r.has("work/ph/logs"), r


def test_pipx_global_defaults_to_opt_pipx(exp: Exp) -> None:
    r = pipx(exp, "install", "--global")
    assert r.rc == 1 and "Cannot create /opt/pipx: permission denied" in r.out, r


# ---------------------------------------------------------------------------------- poetry, pipenv, pdm, hatch
def tool_project(e: Exp, files: dict[str, str], owner_user: bool = False) -> Path:
    d = e.dir / "proj"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    if owner_user:
        e.chown_user("proj")
    return d


def poetry_project(e: Exp, owner_user: bool = False) -> Path:
    six = (e.wheels / wheel("six-").name).as_uri()
    pyproject = (
        f'[project]\nname = "pproj"\nversion = "1.0"\nrequires-python = ">=3.11"\ndependencies = ["six @ {six}"]\n'
        "[tool.poetry]\npackage-mode = false\n"
    )
    d = tool_project(e, {"pyproject.toml": pyproject})
    r = e.as_root([tool("poetry"), "lock", "--no-interaction"], cwd=d, env={"HOME": str(e.dir / "roothome")})
    assert r.rc == 0, r
    if owner_user:
        e.chown_user("proj")
    return d


@pytest.mark.parametrize(
    ("env", "where"),
    [
        ({}, "home/.cache/pypoetry/virtualenvs"),
        ({"POETRY_CACHE_DIR": "W/pc"}, "work/pc/virtualenvs"),
        ({"POETRY_VIRTUALENVS_PATH": "W/vp"}, "work/vp"),
    ],
)
def test_poetry_venv_location(exp: Exp, env: dict[str, str], where: str) -> None:
    d = poetry_project(exp)
    r = exp.run(
        [tool("poetry"), "install", "--no-interaction"],
        cwd=d,
        env={k: v.replace("W/", f"{exp.work}/") for k, v in env.items()},
    )
    assert r.rc == 0, r
    assert any(re.fullmatch(re.escape(where) + r"/pproj-[\w-]+-py3\.11/pyvenv\.cfg", c) for c in r.created), r


def test_poetry_fails_without_writable_venv_location(exp: Exp) -> None:
    d = poetry_project(exp)
    exp.lock("home")
    r = exp.run([tool("poetry"), "install", "--no-interaction"], cwd=d)
    assert (
        r.rc == 2 and f"virtualenv: error: argument dest: the destination . is not write-able at {exp.home}" in r.out
    ), r
    r = exp.run([tool("poetry"), "install", "--no-interaction"], cwd=d, env={"POETRY_VIRTUALENVS_IN_PROJECT": "true"})
    assert r.rc == 2 and f"the destination . is not write-able at {d}" in r.out, r


def test_poetry_no_create_installs_into_the_active_venv(exp: Exp) -> None:
    d = poetry_project(exp)
    v = make_venv(exp, "app")
    env = {"POETRY_VIRTUALENVS_CREATE": "false", "VIRTUAL_ENV": str(v)}
    r = exp.run([tool("poetry"), "install", "--no-interaction"], cwd=d, env=env, path=f"{v}/bin:/usr/bin:/bin")
    assert r.rc == 0 and r.has("app/lib/python3.11/site-packages/six.py"), r
    assert not any(c.startswith("home/") for c in r.created), r


PIPFILE = """[[source]]
url = "INDEX"
verify_ssl = false
name = "local"
[packages]
six = "*"
[requires]
python_version = "3.11"
"""
PIPENV_ENV = {"PIPENV_PYTHON": PY311, "PIPENV_NOSPIN": "1", "PIPENV_YES": "1", "CI": "1"}


def pipenv_project(e: Exp, owner_user: bool = False) -> Path:
    d = tool_project(e, {"Pipfile": PIPFILE.replace("INDEX", e.simple_index())})
    env = {**PIPENV_ENV, "HOME": str(e.dir / "roothome"), "PIPENV_VENV_IN_PROJECT": "1"}
    r = e.as_root([tool("pipenv"), "lock"], cwd=d, env=dict(env))
    assert r.rc == 0, r
    shutil.rmtree(d / ".venv")  # `pipenv lock` made one; pipenv would reuse it
    if owner_user:
        e.chown_user("proj")
    return d


def test_pipenv_default_workon_home_and_its_failure(exp: Exp) -> None:
    d = pipenv_project(exp)
    r = exp.run([tool("pipenv"), "install", "--deploy"], cwd=d, env=dict(PIPENV_ENV), timeout=300)
    assert r.rc == 0, r
    assert any(
        re.fullmatch(r"home/\.local/share/virtualenvs/proj-[\w-]+-python3\.11/bin/python", c) for c in r.created
    ), r


def test_pipenv_readonly_home_fails_and_workon_home_moves(exp: Exp) -> None:
    d = pipenv_project(exp)
    exp.lock("home")
    r = exp.run([tool("pipenv"), "install", "--deploy"], cwd=d, env=dict(PIPENV_ENV))
    assert r.rc == 1 and f"PermissionError: [Errno 13] Permission denied: '{exp.home}/.local'" in r.out, r
    env = {**PIPENV_ENV, "WORKON_HOME": str(exp.work / "wh"), "PIPENV_CACHE_DIR": str(exp.work / "pc")}
    r = exp.run([tool("pipenv"), "install", "--deploy"], cwd=d, env=dict(env), timeout=300)
    assert r.rc == 0 and any(re.fullmatch(r"work/wh/proj-[\w.-]+/pyvenv\.cfg", c) for c in r.created), r


def test_pipenv_system_deploy_falls_back_to_a_user_install(exp: Exp) -> None:
    d = pipenv_project(exp)
    py = system_like_python(exp)
    env = {**PIPENV_ENV, "PIPENV_PYTHON": str(py)}
    r = exp.run(
        [tool("pipenv"), "install", "--system", "--deploy"], cwd=d, env=dict(env), path=f"{py.parent}:/usr/bin:/bin"
    )
    assert r.rc == 0 and r.has("home/.local/lib/python3.11/site-packages/six.py"), r


PDM_PYPROJECT = """[project]
name = "proj"
version = "1.0"
requires-python = ">=3.11"
dependencies = ["six"]
[tool.pdm]
distribution = false
[[tool.pdm.source]]
name = "pypi"
url = "INDEX"
verify_ssl = false
"""


def test_pdm_in_project_venv_cache_and_state(exp: Exp) -> None:
    d = tool_project(exp, {"pyproject.toml": PDM_PYPROJECT.replace("INDEX", exp.simple_index())}, owner_user=True)
    env = {"PDM_CHECK_UPDATE": "false"}
    r = exp.run([tool("pdm"), "install"], cwd=d, env=dict(env))
    assert r.rc == 0 and r.has("proj/.venv/lib/python3.11/site-packages/six.py"), r
    assert r.has("home/.cache/pdm/wheels") and r.has("home/.local/state/pdm/log"), r
    ro = exp.lock("rohome")  # a fresh read-only HOME (the first run made ~/.local in the old one)
    shutil.rmtree(d / ".venv")
    env["HOME"] = str(ro)
    r = exp.run([tool("pdm"), "install"], cwd=d, env=dict(env))
    assert r.rc == 1 and f"[PermissionError]: [Errno 13] Permission denied: '{ro}/.local'" in r.out, r
    r = exp.run([tool("pdm"), "install"], cwd=d, env={**env, "PDM_CACHE_DIR": str(exp.work / "pc0")})
    assert r.rc == 1 and f"Permission denied: '{ro}/.local'" in r.out, r  # the log directory stops it
    env |= {"PDM_CACHE_DIR": str(exp.work / "pc"), "PDM_LOG_DIR": str(exp.work / "pl")}
    r = exp.run([tool("pdm"), "install"], cwd=d, env=dict(env))
    assert r.rc == 0 and r.has("work/pc/wheels"), r


HATCH_PYPROJECT = """[project]
name = "proj"
version = "1.0"
requires-python = ">=3.11"
[tool.hatch.envs.default]
skip-install = true
dependencies = ["six"]
"""


def test_hatch_env_location_and_config_file(exp: Exp) -> None:
    d = tool_project(exp, {"pyproject.toml": HATCH_PYPROJECT})
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(exp.wheels), "HATCH_PYTHON": PY311}
    r = exp.run([tool("hatch"), "env", "create"], cwd=d, env=dict(env))
    assert r.rc == 0 and r.has("home/.config/hatch/config.toml"), r
    assert any(
        re.fullmatch(r"home/\.local/share/hatch/env/virtual/proj/[\w-]+/proj/pyvenv\.cfg", c) for c in r.created
    ), r
    ro = exp.lock("rohome")  # a fresh read-only HOME (the first run made ~/.config in the old one)
    env |= {"HOME": str(ro), "HATCH_DATA_DIR": str(exp.work / "hd"), "HATCH_CACHE_DIR": str(exp.work / "hc")}
    r = exp.run([tool("hatch"), "env", "create"], cwd=d, env=dict(env))
    assert r.rc == 1 and f"Unable to create config file located at `{ro}/.config/hatch/config.toml`" in r.out, r
    env["XDG_CONFIG_HOME"] = str(exp.work / "xg")
    r = exp.run([tool("hatch"), "env", "create"], cwd=d, env=dict(env))
    assert r.rc == 0 and r.has("work/xg/hatch/config.toml") and r.has("work/hd/env/virtual/proj"), r


# ----------------------------------------------------------------------------------------------------- PyInstaller
def test_pyinstaller_writes_spec_build_dist_in_cwd_and_nothing_in_home(exp: Exp) -> None:
    app = exp.work / "app.py"
    app.write_text("print('hi')\n")
    os.chown(app, 1001, 0)
    exp.lock("home")
    r = exp.run([tool("pyinstaller"), "--noconfirm", app], timeout=300)
    assert r.rc == 0, r
    assert r.has("work/app.spec") and r.has("work/build/app") and r.has("work/dist/app/app"), r
    exp.lock("rocwd")
    r = exp.run([tool("pyinstaller"), "--noconfirm", app], cwd=exp.dir / "rocwd", timeout=300)
    assert r.rc == 1 and f"PermissionError: [Errno 13] Permission denied: '{exp.dir}/rocwd/app.spec'" in r.out, r
    paths = ["--specpath", exp.work / "s", "--workpath", exp.work / "b", "--distpath", exp.work / "d"]
    r = exp.run([tool("pyinstaller"), "--noconfirm", *paths, app], cwd=exp.dir / "rocwd", timeout=300)
    assert r.rc == 0 and r.has("work/s/app.spec") and r.has("work/b/app") and r.has("work/d/app/app"), r


# ------------------------------------------------------------------------------- writes into the cwd (issue 21)
def _project(exp: Exp, rel: str, backend: str) -> Path:
    """A project `E/rel` with pyproject.toml (`backend`: setuptools or poetry-core), setup.py and a package."""
    root = exp.dir / rel
    (root / "pkg").mkdir(parents=True)
    requires = {"setuptools": "setuptools>=61", "poetry-core": "poetry-core>=2"}[backend]
    api = {"setuptools": "setuptools.build_meta", "poetry-core": "poetry.core.masonry.api"}[backend]
    (root / "pyproject.toml").write_text(
        f'[build-system]\nrequires = ["{requires}"]\nbuild-backend = "{api}"\n\n'
        '[project]\nname = "pkg"\nversion = "0.1"\nrequires-python = ">=3.9"\ndependencies = []\n\n'
        '[tool.poetry]\npackages = [{include = "pkg"}]\n'
    )
    (root / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (root / "pkg" / "__init__.py").write_text("")
    for p in [root, *root.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return root


def test_setup_py_writes_egg_info_build_and_dist_into_the_cwd(exp: Exp) -> None:
    py = tool("python")
    src = _project(exp, "rocwd", "setuptools")
    for cmd in (["bdist_wheel"], ["sdist"], ["egg_info"]):
        r = exp.run([py, "setup.py", *cmd], cwd=src)
        assert r.rc == 1 and "could not create" in r.out and "Permission denied" in r.out, r
    exp.chown_user("rocwd")
    r = exp.run([py, "setup.py", "bdist_wheel"], cwd=src)
    assert r.rc == 0 and r.has("rocwd/build") and r.has("rocwd/dist") and r.has("rocwd/pkg.egg-info"), r


def test_python_m_build_setuptools_writes_egg_info_beside_the_sources_whatever_outdir(exp: Exp) -> None:
    py = tool("python")
    src = _project(exp, "rocwd", "setuptools")
    out = exp.work / "out"
    r = exp.run([py, "-m", "build", "--no-isolation", "--outdir", out, src], cwd=exp.work)
    assert r.rc == 1 and "could not create 'pkg.egg-info': Permission denied" in r.out, r


def test_python_m_build_poetry_core_writes_only_its_outdir(exp: Exp) -> None:
    py = tool("python")
    src = _project(exp, "rocwd", "poetry-core")
    r = exp.run([py, "-m", "build", "--no-isolation"], cwd=src)
    assert r.rc == 1 and f"Permission denied: '{src}/dist'" in r.out, r
    r = exp.run([py, "-m", "build", "--no-isolation", "--outdir", exp.work / "out"], cwd=src)
    assert r.rc == 0 and r.has("work/out/pkg-0.1-py3-none-any.whl") and not any("rocwd" in p for p in r.created), r


def test_poetry_export_output_is_relative_to_the_project(exp: Exp) -> None:
    src = _project(exp, "rocwd", "poetry-core")
    (src / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0.1"\n\n[tool.poetry]\npackage-mode = false\n'
    )
    root_home = exp.path("roothome")
    r = exp.as_root([tool("poetry"), "lock"], cwd=src, env={"HOME": str(root_home)})
    assert r.rc == 0, r
    os.chmod(src / "poetry.lock", 0o644)
    r = exp.run([tool("poetry"), "-C", src, "export", "-o", "req.txt"], cwd=exp.work)
    assert r.rc == 1 and f"Permission denied: '{src}/req.txt'" in r.out, r
    r = exp.run([tool("poetry"), "-C", src, "export", "-o", exp.work / "req.txt"], cwd=src)
    assert r.rc == 0 and r.has("work/req.txt"), r
