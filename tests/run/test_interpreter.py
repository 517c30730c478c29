"""RUN scripts on the model: what buildah cannot show (commands Debian's busybox lacks, control flow, tools)."""

from __future__ import annotations

from venvlint.model.fs import Cause, FileSystem, Kind, Knowledge, Node
from venvlint.model.users import User, UserDB
from venvlint.simulate.identity import run_identity
from venvlint.simulate.script import run_script, scan_commands
from venvlint.simulate.state import StageState
from venvlint.tools.model import Act, Tool


def _state(user: str = "") -> StageState:
    fs = FileSystem.scratch()
    for d, mode in (("/etc", 0o755), ("/tmp", 0o1777), ("/home", 0o755), ("/opt", 0o755), ("/usr", 0o755)):
        fs.put(d, Node(Kind.DIR, 0, 0, mode), Cause(1, "setup"), "setup")
    users = UserDB(passwd_exists=True)
    users.add_user(User("root", 0, 0, "/root"))
    users.add_group("root", 0)
    users.add_user(User("app", 1000, 1000, "/home/app"))
    users.add_group("app", 1000)
    st = StageState("s", 0, "scratch", fs, users)
    st.identity = run_identity(user, users).identity
    return st


def run(st: StageState, script: str, env: dict[str, str] | None = None, mounts: tuple[str, ...] = ()) -> int:
    status, _ = run_script(st, script, Cause(10, "RUN ..."), env or {"PATH": "/usr/bin"}, mounts=mounts)
    return status


def mode(st: StageState, path: str) -> tuple[int | None, int | None, str]:
    n = st.fs.get(path)
    assert n is not None, path
    return n.uid, n.gid, f"{n.mode:04o}" if n.mode is not None else "????"


def test_debian_useradd_without_m_creates_no_home_but_adduser_does() -> None:
    st = _state()
    run(st, "useradd -u 1500 web && adduser --disabled-password --gecos '' --uid 1600 api")
    assert st.users.by_name("web") is not None and st.fs.get("/home/web") is None
    assert st.users.by_name("api").uid == 1600  # type: ignore[union-attr]
    assert mode(st, "/home/api")[:2] == (1600, 1600)


def test_useradd_system_with_group_0_and_home_like_sclorg() -> None:
    st = _state()
    st.fs.put("/etc/redhat-release", Node(Kind.FILE, 0, 0, 0o644), Cause(1, "setup"), "setup")  # RHEL: HOME_MODE 0700
    run(st, "useradd -u 1001 -r -g 0 -d /opt/app-root/src -m default")
    u = st.users.by_name("default")
    assert u is not None and (u.uid, u.gid, u.home) == (1001, 0, "/opt/app-root/src")
    assert mode(st, "/opt/app-root/src") == (1001, 0, "0700")


def test_install_d_and_chmod_symbolic() -> None:
    st = _state()
    run(st, "install -d -o app -g 0 -m 2775 /opt/venv && chmod g-w,o+t /opt/venv")
    assert mode(st, "/opt/venv") == (1000, 0, "3755")


def test_and_chain_stops_after_a_denied_command_or_continues_after_or() -> None:
    st = _state("app")
    assert run(st, "mkdir /opt/a && mkdir /tmp/never") == 1
    assert st.fs.get("/tmp/never") is None and st.record.denied[0].path == "/opt/a"
    st = _state("app")
    assert run(st, "mkdir /opt/a || mkdir /tmp/fallback") == 0
    assert st.fs.get("/tmp/fallback") is not None


def test_subshell_cd_does_not_leak_and_for_loops_apply_per_item() -> None:
    st = _state()
    run(st, "(cd /opt && mkdir x) && mkdir y && for d in a b; do mkdir -p /data/$d; done", {"PATH": "/usr/bin"})
    assert st.fs.get("/opt/x") is not None and st.fs.get("/y") is not None
    assert st.fs.get("/data/a") is not None and st.fs.get("/data/b") is not None


def test_if_on_the_model_and_undecidable_conditions() -> None:
    st = _state()
    run(st, "if [ -d /opt ]; then mkdir /opt/yes; else mkdir /opt/no; fi")
    assert st.fs.get("/opt/yes") is not None and st.fs.get("/opt/no") is None
    run(st, 'if [ "$(uname -m)" = x86_64 ]; then mkdir /opt/arch; else mkdir /opt/other; fi')
    # Undecided: both branches may have run, so both directories may exist; nothing built is claimed.
    for path in ("/opt/arch", "/opt/other"):
        node = st.fs.get(path)
        assert node is not None and node.knowledge is Knowledge.ASSUMED and node.history[-1].tentative
    assert not st.fs.is_known_absent("/opt/arch/x") and any("`if`" in a.message for a in st.record.assumptions)


def test_su_gosu_and_sh_c_run_as_the_named_user() -> None:
    st = _state()
    run(st, "mkdir /srv && chown app /srv && gosu app mkdir /srv/g && su app -c 'mkdir /srv/s' && sh -c 'mkdir /srv/c'")
    assert mode(st, "/srv/g")[:2] == (1000, 1000)
    assert mode(st, "/srv/s")[:2] == (1000, 1000)
    assert mode(st, "/srv/c")[:2] == (0, 0)


def test_venv_creation_and_tool_runs() -> None:
    st = _state("app")
    run(st, "mkdir -p /tmp/w && cd /tmp/w && python3.12 -m venv .venv && . .venv/bin/activate && "
            "VIRTUAL_ENV=/tmp/w/.venv pip install requests", {"PATH": "/usr/bin", "HOME": "/home/app"})  # fmt: skip
    assert mode(st, "/tmp/w/.venv/lib/python3.12/site-packages")[:2] == (1000, 1000)
    assert st.fs.get("/tmp/w/.venv/pyvenv.cfg").tag("venv") == "/tmp/w/.venv"  # type: ignore[union-attr]
    venv, tr = st.record.tool_runs
    assert venv.invocation.act is Act.CREATE_ENV and venv.venv == "/tmp/w/.venv"
    assert tr.tool is Tool.PIP and tr.venv == "/tmp/w/.venv" and tr.identity.uid == 1000 and tr.fs is not None


def test_cache_mounts_do_not_persist() -> None:
    st = _state()
    run(st, "mkdir -p /root/.cache/pip/x", mounts=("type=cache,target=/root/.cache",))
    assert st.fs.get("/root/.cache/pip/x") is None


def test_umask_and_setgid_inheritance() -> None:
    st = _state()
    run(
        st,
        "mkdir /shared && chgrp app /shared && chmod 2775 /shared && umask 002 && mkdir /shared/d && touch /shared/f",
    )
    assert mode(st, "/shared/d") == (0, 1000, "2775")
    assert mode(st, "/shared/f") == (0, 1000, "0664")


def test_passwd_written_with_a_heredoc() -> None:
    st = _state()
    run(st, "cat >> /etc/passwd <<EOF\nsvc:x:1234:0::/srv/svc:/bin/sh\nEOF\n")
    assert st.users.by_name("svc") is not None and st.users.by_name("root") is not None


def test_unknown_scripts_are_assumptions() -> None:
    st = _state()
    run(st, "./setup.sh && make install")
    assert any("setup.sh" in a.message for a in st.record.assumptions)


def test_scan_commands_for_cmd_analysis() -> None:
    cmds = scan_commands("cd /app && exec uv run --no-sync main.py", {})
    assert [c.argv for c in cmds] == [["cd", "/app"], ["uv", "run", "--no-sync", "main.py"]]
    assert cmds[1].cwd == "/app"
