"""Bad-input corpus: hostile or broken inputs given to the real CLI (`python -m venvlint`) in a subprocess.

Every case builds its input under `tmp_path`, runs venvlint there and checks the exact exit code (0 clean, 1 findings,
2 bad input). On top of each case's own expectations, every run must:

- finish well within the subprocess timeout (FIFOs, devices and symlink loops must never block or read forever);
- print no traceback and no "internal error";
- for exit 2: print exactly one line on stderr, starting with `venvlint: error:`;
- for exit 0/1: print nothing on stderr.

Message fragments on stderr are compared case-insensitively. Each run is capped at 2 GiB of address space, so an input
that makes venvlint read or expand without bound fails fast instead of eating the machine's memory.

Where builders decide what is right (symlinked sources, stage references), the expectation is what buildah 1.28,
docker 20.10's classic builder and its BuildKit were measured to do (docs/MEASUREMENTS.md).
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, devices and POSIX permissions")

Setup = Callable[[Path], list[str]]
MEMORY_LIMIT = 2 * 1024**3
SECRET = "TOPSECRET-OUTSIDE-THE-CONTEXT"  # content of a file outside the build context: must never be printed
PASSWD_LINE = "root:x:0:0"  # content of the host's /etc/passwd: must never be printed
DROP_READ_CAPS = ("--bounding-set", "-dac_override,-dac_read_search")


@dataclass(frozen=True)
class Case:
    setup: Setup  # builds the input under tmp_path; returns the CLI arguments (paths relative to tmp_path)
    rc: tuple[int, ...]  # allowed exit codes (one, except where the brief allows lint-or-refuse)
    stderr_has: tuple[str, ...] = ()  # fragments of the error line (case-insensitive)
    stdout_has: tuple[str, ...] = ()
    never: tuple[str, ...] = ()  # in neither stream
    stdin: bytes | None = None
    env: tuple[tuple[str, str], ...] = ()
    unreadable: tuple[str, ...] = ()  # paths (relative to tmp_path) to chmod 000 before the run
    timeout: float = 60
    max_seconds: float = 30


# -- building inputs ---------------------------------------------------------------------------------------------------


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def dockerfile(content: str | bytes, name: str = "Dockerfile", cli: Sequence[str] | None = None) -> Setup:
    """One file; the CLI gets `cli` (default: just the file)."""

    def setup(tmp: Path) -> list[str]:
        _write(tmp / name, content)
        return list(cli) if cli is not None else [name]

    return setup


def tree(
    text: str,
    *,
    files: tuple[tuple[str, str], ...] = (),
    dirs: tuple[str, ...] = (),
    links: tuple[tuple[str, str], ...] = (),
    fifos: tuple[str, ...] = (),
    sockets: tuple[str, ...] = (),
    cli: Sequence[str] = ("ctx/Dockerfile",),
) -> Setup:
    """A build context `ctx/` holding `ctx/Dockerfile`; paths are relative to tmp_path (so `secret.txt`, outside the
    context, always exists next to it); `links` are (link, target) pairs."""

    def setup(tmp: Path) -> list[str]:
        _write(tmp / "secret.txt", SECRET + "\n")
        _write(tmp / "ctx" / "Dockerfile", text)
        for d in dirs:
            (tmp / d).mkdir(parents=True, exist_ok=True)
        for rel, content in files:
            _write(tmp / rel, content)
        for rel, target in links:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, tmp / rel)
        for rel in fifos:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(tmp / rel)
        for rel in sockets:
            with socket.socket(socket.AF_UNIX) as s:
                s.bind(str(tmp / rel))
        return list(cli)

    return setup


def fifo_input(option: str) -> Setup:
    """A FIFO (nobody ever writes to it) given to a file-valued option."""

    def setup(tmp: Path) -> list[str]:
        _write(tmp / "Dockerfile", "FROM python:3.12\nRUN true\n")
        os.mkfifo(tmp / "input-fifo")
        return [option, "input-fifo", "Dockerfile"]

    return setup


def zero_input(option: str) -> Setup:
    """A symlink to /dev/zero (endless NUL bytes) given to a file-valued option."""

    def setup(tmp: Path) -> list[str]:
        _write(tmp / "Dockerfile", "FROM python:3.12\nRUN true\n")
        os.symlink("/dev/zero", tmp / "zero-input")
        return [option, "zero-input", "Dockerfile"]

    return setup


def link_dockerfile(target: str, cli: Sequence[str] = ("Dockerfile",)) -> Setup:
    def setup(tmp: Path) -> list[str]:
        os.symlink(target, tmp / "Dockerfile")
        return list(cli)

    return setup


def fifo_dockerfile(tmp: Path) -> list[str]:
    os.mkfifo(tmp / "Dockerfile")
    return ["Dockerfile"]


def sparse_dockerfile(tmp: Path) -> list[str]:
    """60 MiB (sparse, so cheap to make): beyond any sane Dockerfile."""
    with open(tmp / "Dockerfile", "wb") as fh:
        fh.write(b"FROM python:3.12\n")
        fh.truncate(60 * 1024 * 1024)
    return ["Dockerfile"]


def random_bytes() -> bytes:
    data = bytearray(range(256)) * 64
    random.Random(1234).shuffle(data)
    return bytes(data)


def ten_mib(line: str, head: str = "FROM python:3.12\n", tail: str = "") -> str:
    return head + line * (10 * 1024 * 1024 // len(line) + 1) + tail


PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
LATIN1 = b"FROM python:3.12\nLABEL x=\xe9\n"
CONTINUED_WITH_FINDING = (
    "FROM python:3.12\nRUN python -m venv /opt/venv \\\n"
    + "  && echo a \\\n" * 20000
    + "  && true\nUSER 1001\nRUN /opt/venv/bin/pip install x\n"
)
DOUBLING_ENV = "FROM python:3.12\nENV A=x\n" + "ENV A=$A$A\n" * 40 + "WORKDIR /app/$A\n"
COPY_ALL = "FROM python:3.12\nCOPY . /app\n"

CASES = [
    # 1. binary files
    pytest.param(
        Case(dockerfile(random_bytes()), (2,), ("Dockerfile: binary content (NUL bytes): not a Dockerfile",)),
        id="binary-random-bytes",
    ),
    pytest.param(
        Case(dockerfile(PNG_HEADER, "logo.png"), (2,), ("logo.png: binary content (NUL bytes)",)), id="binary-png"
    ),
    pytest.param(
        Case(dockerfile(bytes(range(0x80, 0x100)) * 8), (2,), ("Dockerfile:1: is not valid UTF-8 text",)),
        id="binary-high-bytes-no-nul",
    ),
    # 2. NUL bytes inside Dockerfile text
    pytest.param(
        Case(dockerfile(b"FROM python:3.12\nRUN echo a\x00b\n"), (2,), ("Dockerfile: binary content (NUL bytes)",)),
        id="nul-in-text",
    ),
    pytest.param(
        Case(dockerfile(b"", cli=("-",)), (2,), ("-: binary content (NUL bytes)",), stdin=b"FROM x\nRUN a\x00\n"),
        id="nul-in-text-stdin",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\nRUN true\n".encode("utf-16")), (2,), ("binary content (NUL bytes)",)),
        id="utf16-dockerfile",
    ),
    # 3. non-UTF-8 text
    pytest.param(Case(dockerfile(LATIN1), (2,), ("Dockerfile:2: is not valid UTF-8 text",)), id="latin1-file"),
    pytest.param(
        Case(dockerfile(LATIN1, cli=("explain", "Dockerfile", "/app")), (2,), ("Dockerfile:2: is not valid UTF-8",)),
        id="latin1-file-explain",
    ),
    pytest.param(
        Case(dockerfile(b"", cli=("-",)), (2,), ("-:2: is not valid UTF-8 text",), stdin=LATIN1),
        id="latin1-stdin",
    ),
    pytest.param(
        Case(
            dockerfile(b"", cli=("-",)),
            (2,),
            ("-:2: is not valid UTF-8 text",),
            stdin=LATIN1,
            env=(("PYTHONIOENCODING", "utf-8"),),
        ),
        id="latin1-stdin-strict-locale",
    ),
    # 4. size
    pytest.param(
        Case(dockerfile(ten_mib("RUN echo " + "x" * 80 + "\n")), (0, 1, 2), ("too large",), max_seconds=30),
        id="10mib-of-run-lines",
    ),
    pytest.param(
        Case(dockerfile(ten_mib("# " + "c" * 98 + "\n", tail="RUN true\n")), (0, 1, 2), ("too large",)),
        id="10mib-of-comments",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\nRUN echo " + "x" * (10 * 1024 * 1024) + "\n"), (0, 1, 2), ("too large",)),
        id="10mib-single-line",
    ),
    pytest.param(
        Case(sparse_dockerfile, (2,), ("Dockerfile: is 60 MiB: too large for a Dockerfile",)), id="60mib-refused"
    ),
    # many of one thing: nothing may grow with its square
    pytest.param(
        Case(
            dockerfile(
                "FROM scratch AS s0\n"
                + "".join(f"FROM scratch AS s{i}\nCOPY --from=s{i - 1} /x /x\n" for i in range(1, 20_000))
            ),
            (1,),
            stdout_has=("VL011",),
            max_seconds=20,
        ),
        id="20000-stages-chained",
    ),
    pytest.param(
        Case(
            dockerfile("FROM scratch\n" + "".join(f"ENV A{i}=x\n" for i in range(20_000))),
            (2,),
            ("Dockerfile:1002: more than 1,000 ARG and ENV variables in one stage",),
            max_seconds=20,
        ),
        id="20000-env-variables",
    ),
    pytest.param(
        Case(
            dockerfile("FROM scratch\n" + "".join(f"ENV A{i}=x\n" for i in range(900)) + "RUN true\n" * 20_000),
            (1,),  # scratch has no /bin/sh: the first RUN fails, and only it is said
            stdout_has=("1 finding in 1 file",),
            max_seconds=30,
        ),
        id="900-variables-20000-runs",
    ),
    pytest.param(
        Case(
            dockerfile("FROM python:3.12\nRUN " + "{ " * 3000 + "mkdir /a; " + "}; " * 3000 + "\n"),
            (0,),
            stdout_has=("nests deeper than 100 levels",),
        ),
        id="3000-nested-braces",
    ),
    pytest.param(
        Case(
            dockerfile("FROM python:3.12\nRUN " + "if true; then " * 3000 + "mkdir /a; " + "fi; " * 3000 + "\n"),
            (0,),
            stdout_has=("nests deeper than 100 levels",),
        ),
        id="3000-nested-ifs",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\nCMD " + "{ " * 3000 + "uv run x; " + "}; " * 3000 + "\n"), (0,)),
        id="3000-nested-braces-in-cmd",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\nRUN " + "(" * 3000 + "mkdir /a" + ")" * 3000 + "\n"), (0,)),
        id="3000-nested-subshells",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\nCMD " + "[" * 100_000 + "]" * 100_000 + "\n"), (0,)),
        id="100000-nested-json-arrays",
    ),
    # 5. continuation lines
    pytest.param(
        Case(dockerfile(CONTINUED_WITH_FINDING), (1,), stdout_has=("Dockerfile:20005  VL002",)),
        id="20000-continuations-line-numbers-kept",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\n" + "RUN echo a \\\n" * 20000), (0,)), id="20000-continuations-to-eof"
    ),
    # 6. ARG / ENV cycles and self references
    pytest.param(
        Case(dockerfile("ARG A=${B}\nARG B=${A}\nFROM python:3.12\nARG A\nARG B\nRUN echo $A $B\n"), (0,)),
        id="global-arg-cycle",
    ),
    pytest.param(
        Case(
            dockerfile(
                "FROM python:3.12\nARG A=${B}\nARG B=${A}\nENV X=${X}/bin:${X}\nENV PATH=$PATH:$PATH\n"
                "ENV C=${D} D=${C}\nWORKDIR /w/$A$B$X$C$D\n"
            ),
            (0,),
        ),
        id="stage-arg-and-env-cycles",
    ),
    pytest.param(
        Case(
            dockerfile("ARG IMG=${IMG}\nFROM ${IMG}\nRUN true\n"),
            (0,),
            stdout_has=("line 2: the base image ${IMG} has no value without a build argument",),
        ),
        id="from-arg-self-reference",
    ),
    pytest.param(
        Case(dockerfile(DOUBLING_ENV), (2,), ("expanding $A makes a value of over 1 MiB",), max_seconds=20),
        id="env-self-reference-doubling",
    ),
    # 7. stage cycles
    pytest.param(
        Case(
            dockerfile("FROM b AS a\nRUN true\nFROM a AS b\nRUN true\n"),
            (0,),
            stdout_has=("line 1: base image b is not known",),
        ),
        id="from-cycle-is-an-image",
    ),
    pytest.param(
        Case(dockerfile("FROM a AS a\nRUN true\n"), (0,), stdout_has=("base image a is not known",)),
        id="from-itself-is-an-image",
    ),
    pytest.param(
        Case(
            dockerfile("FROM python:3.12 AS a\nCOPY --from=a /x /x\n"),
            (2,),
            ('Dockerfile:2: cannot copy from stage "a", it needs to be defined before current stage "a"',),
        ),
        id="copy-from-own-stage",
    ),
    pytest.param(
        Case(dockerfile("FROM python:3.12\nCOPY --from=0 /x /x\n"), (2,), ('cannot copy from stage "0"',)),
        id="copy-from-own-stage-index",
    ),
    pytest.param(
        Case(
            dockerfile("FROM python:3.12 AS a\nCOPY --from=b /x /x\nFROM python:3.12 AS b\nCOPY --from=a /y /y\n"),
            (2,),
            ('Dockerfile:2: cannot copy from stage "b", it needs to be defined before current stage "a"',),
        ),
        id="copy-from-mutual-cycle",
    ),
    pytest.param(
        Case(
            dockerfile(
                "FROM python:3.12 AS a\nCOPY --from=b /x /x\nFROM python:3.12 AS b\nRUN touch /x\n",
                cli=("--format", "json", "--target", "a", "Dockerfile"),
            ),
            (2,),
            ('Dockerfile:2: cannot copy from stage "b", it needs to be defined before current stage "a"',),
        ),
        id="copy-from-later-stage",
    ),
    # 8. symlink loops in the build context
    pytest.param(
        Case(tree(COPY_ALL, links=(("ctx/loop", "."), ("ctx/a", "b"), ("ctx/b", "a"), ("ctx/d/up", ".."))), (0,)),
        id="context-symlink-loops-copy-all",
    ),
    pytest.param(
        Case(
            tree(COPY_ALL, links=(("ctx/loop", "."),), cli=("explain", "ctx/Dockerfile", "/app/loop", "-f", "json")),
            (0,),
            stdout_has=('"kind": "symlink"', '"target": "."'),
        ),
        id="context-symlink-loop-copied-as-link",
    ),
    pytest.param(
        Case(
            tree("FROM python:3.12\nCOPY a/x /app/\n", links=(("ctx/a", "b"), ("ctx/b", "a"))),
            (2,),
            ("ctx/Dockerfile:2: symlink loop in the build context at a",),
        ),
        id="context-symlink-loop-in-source-path",
    ),
    pytest.param(
        Case(tree("FROM python:3.12\nCOPY a /app/\n", links=(("ctx/a", "b"), ("ctx/b", "a"))), (2,), ("symlink loop",)),
        id="context-symlink-loop-as-source",
    ),
    # 9. symlinks escaping the build context
    pytest.param(
        Case(
            tree(
                "FROM python:3.12\nCOPY data /app/data\n",
                files=(("ctx/data/ok", "ok\n"),),
                links=(("ctx/data/sec", "../../secret.txt"), ("ctx/data/pw", "/etc/passwd"), ("ctx/data/etc", "/etc")),
                cli=("explain", "ctx/Dockerfile", "/app/data/pw", "/app/data/etc/passwd", "-f", "json"),
            ),
            (0,),
            # the image's own /etc/passwd is not known (never the host's): unknown, not absent
            stdout_has=('"target": "/etc/passwd"', '"knowledge": "unknown"'),
            never=(SECRET, PASSWD_LINE),
        ),
        id="escaping-links-inside-copied-dir-stay-links",
    ),
    pytest.param(
        Case(
            tree(COPY_ALL, links=(("ctx/sec", "../secret.txt"), ("ctx/etcdir", "/etc"), ("ctx/pw", "/etc/passwd"))),
            (0,),
            never=(SECRET, PASSWD_LINE),
        ),
        id="escaping-links-copy-all",
    ),
    pytest.param(
        Case(
            tree("FROM python:3.12\nCOPY etcdir/passwd /app/pw\n", links=(("ctx/etcdir", "/etc"),)),
            (0,),
            stdout_has=("line 2: COPY source 'etcdir/passwd' is not in the build context",),
            never=(PASSWD_LINE,),
        ),
        id="escaping-dir-link-in-source-path-scoped",
    ),
    pytest.param(
        Case(
            tree(
                "FROM python:3.12\nCOPY *.txt /app/\n",
                files=(("ctx/a.txt", "a\n"),),
                links=(("ctx/x.txt", "/etc/passwd"),),
            ),
            (2,),
            ("COPY source '*.txt' not found in the build context", "symlink to '/etc/passwd'"),
            never=(PASSWD_LINE,),
        ),
        id="escaping-link-matched-by-wildcard",
    ),
    pytest.param(
        Case(
            tree("FROM python:3.12\nCOPY evil /app/evil\n", links=(("ctx/evil", "/etc/passwd"),)),
            (2,),
            ("not found in the build context",),
            never=(PASSWD_LINE,),
        ),
        id="escaping-link-as-source",
    ),
    # 10. `../` sources
    pytest.param(
        Case(
            tree("FROM python:3.12\nCOPY ../secret.txt /x\n"),
            (2,),
            ("ctx/Dockerfile:2: COPY source '../secret.txt' is outside the build context",),
            never=(SECRET,),
        ),
        id="dotdot-source",
    ),
    pytest.param(
        Case(
            tree("FROM python:3.12\nCOPY sub/../../secret.txt /x\n", dirs=("ctx/sub",)),
            (2,),
            ("is outside the build context",),
            never=(SECRET,),
        ),
        id="dotdot-source-through-subdir",
    ),
    pytest.param(
        Case(tree("FROM python:3.12\nADD ../secret.txt /x\n"), (2,), ("is outside the build context",)),
        id="dotdot-source-add",
    ),
    pytest.param(
        Case(tree("FROM python:3.12\nCOPY .. /x/\n"), (2,), ("COPY source '..' is outside the build context",)),
        id="dotdot-source-parent-dir",
    ),
    pytest.param(
        Case(tree("FROM python:3.12\nCOPY ../* /x/\n"), (2,), ("is outside the build context",), never=(SECRET,)),
        id="dotdot-source-wildcard",
    ),
    # 11. unreadable files (as root, run with CAP_DAC_OVERRIDE dropped, or skipped)
    pytest.param(
        Case(dockerfile(COPY_ALL), (2,), ("Dockerfile: cannot read: Permission denied",), unreadable=("Dockerfile",)),
        id="unreadable-dockerfile",
    ),
    pytest.param(
        Case(
            tree(COPY_ALL, files=(("ctx/closed/f", "x\n"),)),
            (2,),
            ("cannot read the build context", "closed: permission denied"),
            unreadable=("ctx/closed",),
        ),
        id="unreadable-dir-in-context",
    ),
    pytest.param(
        Case(
            tree("FROM python:3.12\nCOPY closed/f /app/\n", files=(("ctx/closed/f", "x\n"),)),
            (2,),
            ("permission denied",),
            never=("not found",),
            unreadable=("ctx/closed",),
        ),
        id="unreadable-dir-in-source-path",
    ),
    pytest.param(
        Case(
            tree(COPY_ALL, files=(("ctx/secret", "s\n"),)),
            (2,),
            ("secret", "permission denied"),
            unreadable=("ctx/secret",),
        ),
        id="unreadable-file-in-context",
    ),
    # 12. FIFOs and devices
    pytest.param(
        Case(fifo_dockerfile, (2,), ("Dockerfile: is not a regular file (a FIFO, socket or device?)",), timeout=20),
        id="fifo-dockerfile",
    ),
    pytest.param(
        Case(
            tree(
                COPY_ALL,
                links=(("ctx/zero", "/dev/zero"), ("ctx/urandom", "/dev/urandom")),
                fifos=("ctx/pipe", "ctx/sub/pipe"),
                sockets=("ctx/sock",),
            ),
            (0,),
            timeout=20,
            max_seconds=10,
        ),
        id="fifo-device-socket-in-context",
    ),
    pytest.param(  # an ignore file that is not a regular file is never opened
        Case(tree(COPY_ALL, fifos=("ctx/.dockerignore",)), (0,), timeout=20, max_seconds=10), id="fifo-dockerignore"
    ),
    pytest.param(
        Case(tree(COPY_ALL, links=(("ctx/.dockerignore", "/dev/zero"),)), (0,), timeout=20, max_seconds=10),
        id="dev-zero-dockerignore",
    ),
    pytest.param(
        Case(fifo_input("--config"), (2,), ("input-fifo", "is not a regular file"), timeout=10),
        id="fifo-config",
    ),
    pytest.param(
        Case(fifo_input("--profiles"), (2,), ("input-fifo", "is not a regular file"), timeout=10),
        id="fifo-profiles",
    ),
    pytest.param(
        Case(fifo_input("--build-arg-file"), (2,), ("input-fifo", "is not a regular file"), timeout=10),
        id="fifo-build-arg-file",
    ),
    # 13. nothing to lint
    pytest.param(
        Case(tree("", dirs=("empty",), cli=("empty",)), (2,), ("empty: no Dockerfile, Containerfile",)),
        id="empty-directory",
    ),
    pytest.param(
        Case(
            tree("", files=(("docs/readme.txt", "hi\n"),), cli=("docs",)),
            (2,),
            ("docs: no Dockerfile, Containerfile, Dockerfile.*, *.Dockerfile (any case) below this directory",),
        ),
        id="directory-without-dockerfile",
    ),
    pytest.param(
        Case(tree("", dirs=("empty",), cli=("explain", "empty", "/app")), (2,), ("empty: is a directory",)),
        id="directory-explain",
    ),
    pytest.param(Case(dockerfile("", cli=("missing",)), (2,), ("missing: no such file",)), id="missing-file"),
    pytest.param(
        Case(dockerfile("", cli=("explain", "missing", "/app")), (2,), ("missing: no such file",)),
        id="missing-file-explain",
    ),
    pytest.param(
        Case(dockerfile(""), (2,), ("Dockerfile: no instructions: the file is empty or only comments",)),
        id="empty-file",
    ),
    pytest.param(
        Case(dockerfile("# just a comment\n\n   \n\t\n# another\n"), (2,), ("no instructions",)), id="only-comments"
    ),
    pytest.param(Case(dockerfile("\n\n   \n\t \n"), (2,), ("no instructions",)), id="only-whitespace"),
    pytest.param(Case(dockerfile(b"\xef\xbb\xbf\n"), (2,), ("no instructions",)), id="only-bom"),
    pytest.param(
        Case(dockerfile("# syntax=docker/dockerfile:1\n# escape=`\n"), (2,), ("no instructions",)), id="only-directives"
    ),
    # 14. devices as the Dockerfile or another input file
    pytest.param(
        Case(link_dockerfile("/dev/zero"), (2,), ("Dockerfile: is not a regular file",), timeout=20),
        id="dockerfile-links-to-dev-zero",
    ),
    pytest.param(
        Case(link_dockerfile("/dev/urandom"), (2,), ("Dockerfile: is not a regular file",), timeout=20),
        id="dockerfile-links-to-dev-urandom",
    ),
    pytest.param(
        Case(
            link_dockerfile("/dev/zero", cli=("explain", "Dockerfile", "/app")),
            (2,),
            ("is not a regular file",),
            timeout=20,
        ),
        id="dockerfile-links-to-dev-zero-explain",
    ),
    pytest.param(
        Case(dockerfile("", cli=("/dev/zero",)), (2,), ("/dev/zero: is not a regular file",), timeout=20),
        id="dev-zero-as-dockerfile",
    ),
    pytest.param(
        Case(zero_input("--config"), (2,), ("zero-input", "is not a regular file"), timeout=20, max_seconds=10),
        id="dev-zero-config",
    ),
    pytest.param(
        Case(zero_input("--profiles"), (2,), ("zero-input", "is not a regular file"), timeout=20, max_seconds=10),
        id="dev-zero-profiles",
    ),
    pytest.param(
        Case(zero_input("--build-arg-file"), (2,), ("zero-input", "is not a regular file"), timeout=20, max_seconds=10),
        id="dev-zero-build-arg-file",
    ),
]


# -- running -----------------------------------------------------------------------------------------------------------


def _limit_memory() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_PROBE = """
import os, sys
for p in sys.argv[1:]:
    try:
        os.listdir(p) if os.path.isdir(p) else open(p, "rb").close()
    except PermissionError:
        continue
    sys.exit(0)
sys.exit(3)
"""


def _prefix_for_unreadable(paths: list[Path]) -> list[str]:
    """The command prefix under which chmod 000 really means unreadable. Root reads such files anyway
    (CAP_DAC_OVERRIDE): then run venvlint under `setpriv` with that capability dropped, or skip the case."""
    if not any(os.access(p, os.R_OK) for p in paths):
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root, which reads chmod 000 files anyway, and setpriv (to drop that) is missing")
    probe = subprocess.run(
        [setpriv, *DROP_READ_CAPS, sys.executable, "-c", _PROBE, *map(str, paths)], capture_output=True, timeout=60
    )
    if probe.returncode != 3:
        pytest.skip("running as root, which reads chmod 000 files anyway, and setpriv could not drop CAP_DAC_OVERRIDE")
    return [setpriv, *DROP_READ_CAPS]


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: Case, tmp_path: Path) -> None:
    args = case.setup(tmp_path)
    locked = [tmp_path / rel for rel in case.unreadable]
    modes = {p: stat.S_IMODE(p.stat().st_mode) for p in locked}
    for p in locked:
        p.chmod(0)
    try:
        prefix = _prefix_for_unreadable(locked) if locked else []
        env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **dict(case.env)}
        env.pop("VENVLINT_DEBUG", None)
        cmd = [*prefix, sys.executable, "-m", "venvlint", *args]
        start = time.monotonic()
        try:
            proc = subprocess.run(
                cmd,
                cwd=tmp_path,
                env=env,
                input=case.stdin,
                stdin=subprocess.DEVNULL if case.stdin is None else None,
                capture_output=True,
                timeout=case.timeout,
                preexec_fn=_limit_memory,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"venvlint hung: no exit within {case.timeout}s for {args}")
        elapsed = time.monotonic() - start
    finally:
        for p, mode in modes.items():
            p.chmod(mode)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    what = f"venvlint {' '.join(args)} → exit {proc.returncode}\nstderr: {err[:2000]}\nstdout: {out[:2000]}"
    assert "Traceback" not in err + out, what
    assert "internal error" not in err, what
    assert proc.returncode in case.rc, what
    assert elapsed < case.max_seconds, f"took {elapsed:.1f}s\n{what}"
    if proc.returncode == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("venvlint: error: "), what
        for fragment in case.stderr_has:
            assert fragment.lower() in err.lower(), f"{fragment!r} not on stderr\n{what}"
    else:
        assert err == "", what
        for fragment in case.stdout_has:
            assert fragment in out, f"{fragment!r} not on stdout\n{what}"
    for fragment in case.never:
        assert fragment not in out + err, f"{fragment!r} was printed\n{what}"


def test_a_copy_source_from_an_unknown_variable_is_an_assumption_not_a_crash(tmp_path: Path) -> None:
    """`COPY $HOME /x` on an image whose environment is not known: the source is computed, not looked up."""
    df = tmp_path / "Dockerfile"
    df.write_text("FROM ubuntu\nCOPY $HOME /opt/x\nADD $HOME /opt/y\nCOPY --from=ubuntu $HOME /z\n")
    r = subprocess.run([sys.executable, "-m", "venvlint", str(df)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "COPY source '$HOME' is computed from a value venvlint does not know" in r.stdout
