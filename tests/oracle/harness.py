"""Build oracle cases with a real builder (buildah) and read back owner, group, mode and kind of image paths.

A case is a folder under `cases/`: a `Dockerfile`, a `context/` (without the busybox binary, which is copied in at
build time), and `case.yaml` with what git cannot store (directory and file modes, empty directories, symlinks, tar
archives to generate), the paths to check, and the builder's recorded answer (`expected:`, or `build: fails` with
`step:`, `error:` and `fails_line:`). See README.md next to this file ("How a case is built") for how the builds are
run, and docs/BUILDERS.md for the rows a case's `row:` names.
"""

from __future__ import annotations

import io
import os
import queue
import re
import shutil
import stat
import subprocess
import tarfile
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "cases"
BUSYBOX = Path("/bin/busybox")
PREAMBLE = """FROM scratch AS base
COPY busybox /bin/busybox
SHELL ["/bin/busybox", "sh", "-c"]
RUN /bin/busybox --install -s /bin && mkdir -p /etc /tmp && chmod 1777 /tmp
"""
CONTEXT_MARK = "<context>"
# Keys a case.yaml may hold; the last group is written by record.py only.
CASE_KEYS = {"row", "description", "modes", "dirs", "symlinks", "tars", "host_tools", "build_args", "target", "paths"}
TOOLS_DIR = "tools"  # context folder that `host_tools:` fills (`COPY tools/ /` in the Dockerfile)
RECORDED_KEYS = ("recorded_with", "expected", "build", "step", "error", "fails_line")

Result = dict[str, Any]


# ---------------------------------------------------------------------------------------------------------- cases
def case_dirs(names: Iterable[str] = ()) -> list[Path]:
    """Every case folder, or the named ones (folder name or path) in the order given."""
    wanted = list(names)
    if not wanted:
        return sorted(p for p in CASES.iterdir() if (p / "case.yaml").is_file())
    out = []
    for name in wanted:
        p = Path(name)
        case = p if (p / "case.yaml").is_file() else CASES / p.name
        if not (case / "case.yaml").is_file():
            raise SystemExit(f"no oracle case {name!r} under {CASES}")
        out.append(case.resolve())
    return out


def load_case(case: Path) -> dict[str, Any]:
    data = yaml.safe_load((case / "case.yaml").read_text())
    if not isinstance(data, dict):
        raise ValueError(f"{case / 'case.yaml'}: not a mapping")
    return data


def case_problems(case: Path) -> list[str]:
    """What is wrong with a case folder (empty when it is well-formed)."""
    data = load_case(case)
    bad = [f"unknown key {k!r}" for k in data if k not in CASE_KEYS and k not in RECORDED_KEYS]
    if not re.fullmatch(r"\d\d-[a-z0-9-]+", case.name):
        bad.append("folder name must be NN-slug")
    dockerfile = (case / "Dockerfile").read_text() if (case / "Dockerfile").is_file() else ""
    if not dockerfile.startswith(PREAMBLE):
        bad.append("the Dockerfile must start with the busybox preamble (PREAMBLE)")
    if "<<" in dockerfile:
        bad.append("buildah 1.28 has no heredocs")
    for generated in ("busybox", TOOLS_DIR):
        if (case / "context" / generated).exists():
            bad.append(f"context/{generated} must not be committed (the harness makes it)")
    if data.get("host_tools") and f"COPY {TOOLS_DIR}/ /" not in dockerfile:
        bad.append(f"host_tools: needs `COPY {TOOLS_DIR}/ /` in the Dockerfile")
    rows = data.get("row")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, str) for r in rows):
        bad.append("row: must be a non-empty list of docs/BUILDERS.md row ids (strings)")
    if not isinstance(data.get("description"), str):
        bad.append("description: missing")
    paths = data.get("paths")
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) and p.startswith("/") for p in paths):
        bad.append("paths: must be a non-empty list of absolute image paths")
    for rel in data.get("modes") or {}:
        if not isinstance(data["modes"][rel], str) or not re.fullmatch(r"0?[0-7]{3,4}", data["modes"][rel]):
            bad.append(f"modes: {rel}: give the mode as a quoted octal string")
    if data.get("build") == "fails":
        for key in ("step", "error", "fails_line"):
            if key not in data:
                bad.append(f"build: fails needs {key}:")
    elif "expected" not in data:
        bad.append("not recorded yet (python tests/oracle/record.py CASE)")
    elif isinstance(paths, list) and list(data["expected"]) != paths:
        bad.append("expected: does not list exactly the paths: (re-record)")
    return bad


# -------------------------------------------------------------------------------------------------------- context
def prepare_context(case: Path, dest: Path, busybox: bool) -> Path:
    """Make `dest/Dockerfile` and `dest/context`: a copy of the case's context with its declared modes, empty
    dirs, symlinks and tars, plus /bin/busybox (or, for builds that are only simulated, a placeholder file)."""
    data = load_case(case)
    dest.mkdir(parents=True, exist_ok=True)
    ctx = dest / "context"
    src = case / "context"
    if src.is_dir():
        shutil.copytree(src, ctx, symlinks=True)
    else:
        ctx.mkdir()
    for d in data.get("dirs") or []:
        (ctx / d).mkdir(parents=True, exist_ok=True)
    for link, target in (data.get("symlinks") or {}).items():
        p = ctx / link
        p.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(str(target), p)
    for name, entries in (data.get("tars") or {}).items():
        (ctx / name).parent.mkdir(parents=True, exist_ok=True)
        make_tar(ctx / name, entries)
    # What git keeps of modes depends on the checkout's umask: start from 0755 dirs and 0644/0755 files.
    for dirpath, _dirnames, filenames in os.walk(ctx):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            f = Path(dirpath, name)
            if not f.is_symlink():
                os.chmod(f, 0o755 if f.stat().st_mode & stat.S_IXUSR else 0o644)
    if busybox:
        shutil.copy2(BUSYBOX, ctx / "busybox")
    else:
        (ctx / "busybox").write_text("placeholder for the static busybox binary\n")
    os.chmod(ctx / "busybox", 0o755)
    for tool in data.get("host_tools") or []:
        copy_host_tool(str(tool), ctx / TOOLS_DIR, real=busybox)
    modes: Mapping[str, Any] = data.get("modes") or {}
    # Deepest first, so that a restrictive directory mode does not keep us from what is below it.
    for rel in sorted(modes, key=lambda r: -r.count("/")):
        os.chmod(ctx / rel, int(str(modes[rel]), 8), follow_symlinks=False)
    shutil.copy2(case / "Dockerfile", dest / "Dockerfile")
    return ctx


def copy_host_tool(name: str, tools: Path, real: bool) -> None:
    """Put the host's `name` (and, when `real`, every shared library it loads) below `tools` at its host path.

    Debian's busybox-static has no install, useradd, groupadd, ... applets; the cases that need such a command copy
    the host's dynamically linked one into the image (`COPY tools/ /`). Without `real`, only a placeholder for the
    program itself is made (enough for the simulator, which never runs it)."""
    exe = shutil.which(name)
    if exe is None:
        if real:
            raise FileNotFoundError(f"host_tools: {name!r} is not installed on this machine")
        exe = f"/usr/bin/{name}"
    files = {exe}
    if real:
        ldd = subprocess.run(["ldd", exe], capture_output=True, text=True, check=True, timeout=60).stdout
        files |= {word for line in ldd.splitlines() for word in line.split() if word.startswith("/")}
    for f in sorted(files):
        dst = tools / f.lstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if real:
            shutil.copyfile(f, dst)  # follows links: libc.so.6 -> libc-2.36.so arrives as a file
        else:
            dst.write_text(f"placeholder for the host's {f}\n")
        os.chmod(dst, 0o755)
    for dirpath, _dirs, _files in os.walk(tools):
        os.chmod(dirpath, 0o755)


def make_tar(path: Path, entries: list[dict[str, Any]]) -> None:
    """A tar with exactly the given entries (name, type file|dir|symlink, uid, gid, mode, content|target)."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            info = tarfile.TarInfo(str(e["name"]))
            info.uid = int(e.get("uid", 0))
            info.gid = int(e.get("gid", 0))
            info.mode = int(str(e.get("mode", "0644")), 8)
            info.mtime = 1700000000
            kind = e.get("type", "file")
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = str(e["target"])
                tf.addfile(info)
            else:
                payload = str(e.get("content", "x\n")).encode()
                info.size = len(payload)
                tf.addfile(info, io.BytesIO(payload))


# -------------------------------------------------------------------------------------------------------- buildah
def buildah_problem() -> str | None:
    """Why buildah cannot run here, or None when it can."""
    if shutil.which("buildah") is None:
        return "buildah is not installed (apt-get install -y buildah busybox-static)"
    if not BUSYBOX.is_file():
        return "/bin/busybox is not installed (apt-get install -y busybox-static)"
    if os.geteuid() != 0:
        return "buildah --isolation chroot needs root here"
    try:
        subprocess.run(["buildah", "--version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"buildah does not run: {exc}"
    return None


def buildah_version() -> str:
    out = subprocess.run(["buildah", "--version"], capture_output=True, text=True, check=True, timeout=60).stdout
    m = re.search(r"version (\S+)", out)
    return f"buildah {m.group(1) if m else out.strip()}"


@dataclass
class Buildah:
    """buildah with storage of its own under `root`, so tests never touch or depend on the machine's images.

    One instance can build several cases at the same time (containers/storage locks its own files); `close()`
    removes everything it stored."""

    root: Path
    base: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.base = [
            "buildah",
            "--root",
            str(self.root / "storage"),
            "--runroot",
            str(self.root / "run"),
            "--storage-driver",
            "vfs",
        ]

    def run(
        self, *args: str, check: bool = True, timeout: float = 300, tmpdir: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """buildah with these arguments; `tmpdir` as its TMPDIR (buildah 1.28 keeps RUN cache mounts in
        $TMPDIR/buildah-cache by target, and a cache keeps the owner and mode it was first made with: a fresh one per
        build makes each case's cache mounts new, whatever other builds on the machine made)."""
        env = {**os.environ, "TMPDIR": str(tmpdir)} if tmpdir is not None else None
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=check, timeout=timeout,
                              env=env)  # fmt: skip

    def build_and_stat(self, case: Path, work: Path) -> Result:
        """Build the case in `work` (a fresh directory) and return `{"expected": ...}` or the failure."""
        data = load_case(case)
        ctx = prepare_context(case, work, busybox=True)
        tag = f"localhost/venvlint-oracle-{case.name}:{uuid.uuid4().hex[:12]}"
        args = ["bud", "--format", "docker", "--isolation", "chroot", "--layers=false", "--force-rm", "-q", "-t", tag]
        for k, v in (data.get("build_args") or {}).items():
            args += ["--build-arg", f"{k}={v}"]
        if data.get("target"):
            args += ["--target", str(data["target"])]
        try:
            tmp = work / "tmp"
            tmp.mkdir(exist_ok=True)
            proc = self.run(*args, "-f", str(work / "Dockerfile"), str(ctx), check=False, tmpdir=tmp)
            if proc.returncode != 0:
                return failure(proc.stdout + "\n" + proc.stderr, ctx, work / "Dockerfile")
            container = self.run("from", "-q", "--pull-never", tag).stdout.strip()
            try:
                mount = Path(self.run("mount", container).stdout.strip())
                return {"expected": {p: stat_path(mount, p) for p in data["paths"]}}
            finally:
                self.run("umount", container, check=False)
                self.run("rm", container, check=False)
        finally:
            self.run("rmi", "-f", tag, check=False)

    def close(self) -> None:
        """Remove every container and image of this storage, then the storage itself."""
        self.run("rm", "--all", check=False)
        self.run("rmi", "--all", "--force", check=False)
        _unmount_below(self.root)
        shutil.rmtree(self.root, ignore_errors=True)


def _unmount_below(root: Path) -> None:
    prefix = str(root.resolve()) + "/"
    with open("/proc/self/mounts") as f:
        points = [line.split()[1] for line in f]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], capture_output=True, check=False)


class Batch:
    """Several cases built at the same time (removed again by `close()`).

    Each of the `jobs` workers has buildah storage of its own under `work` (made once, reused for all the cases it
    builds): builds sharing one storage wait on each other's storage locks. Builds start at once in the
    background; `result(case)` waits for one of them."""

    def __init__(self, cases: list[Path], work: Path, jobs: int | None = None) -> None:
        n = max(1, min(jobs or default_jobs(), len(cases) or 1))
        self._idle: queue.Queue[Buildah] = queue.Queue()
        self._all = [Buildah(work / f"storage{i}") for i in range(n)]
        for b in self._all:
            self._idle.put(b)
        self._pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="oracle")
        self._futures: dict[Path, Future[Result]] = {
            case: self._pool.submit(self._build_one, case, work / f"{i:03d}-{case.name}")
            for i, case in enumerate(cases)
        }

    def _build_one(self, case: Path, work: Path) -> Result:
        buildah = self._idle.get()
        try:
            return buildah.build_and_stat(case, work)
        finally:
            self._idle.put(buildah)
            shutil.rmtree(work, ignore_errors=True)

    def result(self, case: Path) -> Result:
        return self._futures[case].result()

    def close(self) -> None:
        for f in self._futures.values():
            f.cancel()
        self._pool.shutdown(wait=True)
        for b in self._all:
            b.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_jobs() -> int:
    env = os.environ.get("VENVLINT_ORACLE_JOBS")
    if env:
        return max(1, int(env))
    return max(1, min(4, (os.cpu_count() or 1) + 1))


# -------------------------------------------------------------------------------------------------------- results
_NOISE = re.compile(r"^(subprocess exited with status \d+|time=.*level=.*|STEP \d+/\d+: .*|Error: .*)$")


def failure(output: str, ctx: Path, dockerfile: Path) -> Result:
    """The recorded shape of a failed build: the instruction buildah names (`step`) and the most specific message.

    For a RUN that exits non-zero buildah only says "exit status N", so the message is the command's own last
    line of output (e.g. busybox's "mkdir: can't create directory '/x': Permission denied")."""
    text = output.replace(str(ctx.resolve()), CONTEXT_MARK).replace(str(ctx), CONTEXT_MARK)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    last = errors[-1] if errors else (lines[-1] if lines else "")
    out: Result = {"build": "fails"}
    split = _split_step(last, dockerfile)
    if split is None:
        out["error"] = last.removeprefix("Error: ")
        return out
    out["step"], why = split
    if re.fullmatch(r"exit status \d+", why):
        tool = [line for line in lines if not _NOISE.match(line)]
        if tool:
            why = tool[-1]
    out["error"] = why
    return out


def _split_step(line: str, dockerfile: Path) -> tuple[str, str] | None:
    """`Error: building at STEP "<instruction>": <why>` split where <instruction> is one of the Dockerfile's."""
    head = 'Error: building at STEP "'
    if not line.startswith(head):
        return None
    rest = line[len(head) :]
    cuts = [m.start() for m in re.finditer(r'": ', rest)]
    for cut in cuts:
        if instruction_line(dockerfile, rest[:cut]) is not None:
            return rest[:cut], rest[cut + 3 :]
    return (rest[: cuts[0]], rest[cuts[0] + 3 :]) if cuts else None


def failure_matches(recorded: Mapping[str, Any], result: Mapping[str, Any]) -> list[str]:
    """Differences between a recorded failure and a rebuilt one (empty when they agree)."""
    bad = []
    if result.get("build") != "fails":
        bad.append("buildah now builds the case")
    else:
        if recorded.get("step") != result.get("step"):
            bad.append(f"fails at STEP {result.get('step')!r}, recorded {recorded.get('step')!r}")
        if str(recorded.get("error", "")) not in str(result.get("error", "")):
            bad.append(f"error {result.get('error')!r} does not contain the recorded {recorded.get('error')!r}")
    return bad


def instruction_line(dockerfile: Path, step: str) -> int | None:
    """The 1-based line of the only instruction whose text (continuations joined) is `step`."""
    found: list[int] = []
    lines = dockerfile.read_text().splitlines()
    i = 0
    while i < len(lines):
        start, text = i + 1, lines[i].strip()
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1].rstrip() + " " + lines[i].strip()
        if text and not text.startswith("#") and " ".join(text.split()) == " ".join(step.split()):
            found.append(start)
        i += 1
    return found[0] if len(found) == 1 else None


def stat_path(mount: Path, path: str) -> dict[str, Any] | str:
    """lstat of an image path below the mount: the link itself for a symlink, "absent" when there is nothing.

    Intermediate components are resolved inside the image (an absolute symlink must not escape the mount)."""
    host = _resolve_parent(mount, path)
    if host is None:
        return "absent"
    try:
        st = os.lstat(host)
    except (FileNotFoundError, NotADirectoryError):
        return "absent"
    if stat.S_ISDIR(st.st_mode):
        kind = "dir"
    elif stat.S_ISLNK(st.st_mode):
        kind = "symlink"
    elif stat.S_ISREG(st.st_mode):
        kind = "file"
    else:
        kind = "other"
    out: dict[str, Any] = {"uid": st.st_uid, "gid": st.st_gid, "mode": f"{stat.S_IMODE(st.st_mode):04o}", "kind": kind}
    if kind == "symlink":  # always 0777 on Linux: nothing to compare
        del out["mode"]
        out["target"] = os.readlink(host)
    return out


def _resolve_parent(mount: Path, path: str) -> Path | None:
    """Host path of `path` in the image with every component but the last resolved like the image would."""
    parts = [p for p in path.split("/") if p and p != "."]
    if not parts:
        return mount
    cur: list[str] = []
    todo = parts[:-1]
    hops = 0
    while todo:
        name = todo.pop(0)
        if name == "..":
            if cur:
                cur.pop()
            continue
        host = mount.joinpath(*cur, name)
        if host.is_symlink():
            hops += 1
            if hops > 40:
                return None
            target = os.readlink(host)
            todo = [p for p in target.split("/") if p and p != "."] + todo
            if target.startswith("/"):
                cur = []
            continue
        cur.append(name)
    return mount.joinpath(*cur, parts[-1])
