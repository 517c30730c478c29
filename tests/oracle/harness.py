"""Build oracle cases with a real builder (buildah) and read back owner, group, mode and kind of image paths.

A case is a folder under `cases/`: a `Dockerfile`, a `context/` (without the busybox binary, which is copied in at
build time), and `case.yaml` with what git cannot store (directory and file modes, empty directories, symlinks, tar
archives to generate), the paths to check, and the builder's recorded answer (`expected:`, or `build: fails` with
`step:`, `error:` and `fails_line:`). See README.md next to this file, and shared/spec/ORACLE.md for how the builds
are run.
"""

from __future__ import annotations

import io
import os
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
CONTEXT_MARK = "<context>"
# Keys a case.yaml may hold; the last group is written by record.py only.
CASE_KEYS = {"row", "description", "modes", "dirs", "symlinks", "tars", "build_args", "target", "paths"}
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
    if not (case / "Dockerfile").is_file():
        bad.append("no Dockerfile")
    elif (case / "Dockerfile").read_text().startswith("FROM scratch") is False:
        bad.append("the Dockerfile must start with the busybox preamble (FROM scratch ...)")
    elif "<<" in (case / "Dockerfile").read_text():
        bad.append("buildah 1.28 has no heredocs")
    if (case / "context" / "busybox").exists():
        bad.append("context/busybox must not be committed (the harness copies /bin/busybox)")
    rows = data.get("row")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, str) for r in rows):
        bad.append("row: must be a non-empty list of BUILDERS.md row ids (strings)")
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
    if busybox:
        shutil.copy2(BUSYBOX, ctx / "busybox")
    else:
        (ctx / "busybox").write_text("placeholder for the static busybox binary\n")
    os.chmod(ctx / "busybox", 0o755)
    # Deepest first, so that a restrictive directory mode does not keep us from what is below it.
    modes: Mapping[str, Any] = data.get("modes") or {}
    for rel in sorted(modes, key=lambda r: -r.count("/")):
        os.chmod(ctx / rel, int(str(modes[rel]), 8), follow_symlinks=False)
    shutil.copy2(case / "Dockerfile", dest / "Dockerfile")
    return ctx


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

    def run(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.base, *args], capture_output=True, text=True, check=check, timeout=timeout)

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
            proc = self.run(*args, "-f", str(work / "Dockerfile"), str(ctx), check=False)
            if proc.returncode != 0:
                return failure(proc.stdout + "\n" + proc.stderr, ctx)
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


def build_cases(cases: list[Path], work: Path, jobs: int | None = None) -> dict[Path, Future[Result]]:
    """Build several cases at once with one storage under `work`; the caller waits on the futures.

    The storage is removed when the last build is done."""
    buildah = Buildah(work / "storage")
    pool = ThreadPoolExecutor(max_workers=jobs or default_jobs(), thread_name_prefix="oracle")
    futures: dict[Path, Future[Result]] = {}
    for i, case in enumerate(cases):
        futures[case] = pool.submit(_build_one, buildah, case, work / f"{i:03d}-{case.name}")
    pool.submit(_close_when_done, buildah, list(futures.values()))
    pool.shutdown(wait=False)
    return futures


def _build_one(buildah: Buildah, case: Path, work: Path) -> Result:
    try:
        return buildah.build_and_stat(case, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _close_when_done(buildah: Buildah, futures: list[Future[Result]]) -> None:
    for f in futures:
        f.exception()
    buildah.close()


def default_jobs() -> int:
    env = os.environ.get("VENVLINT_ORACLE_JOBS")
    if env:
        return max(1, int(env))
    return max(1, min(4, (os.cpu_count() or 1) + 1))


# -------------------------------------------------------------------------------------------------------- results
_STEP = re.compile(r'Error: building at STEP "(?P<step>.*)": (?P<why>.*)$')
_NOISE = re.compile(r"^(subprocess exited with status \d+|time=.*level=.*|STEP \d+/\d+: .*|Error: .*)$")


def failure(output: str, ctx: Path) -> Result:
    """The recorded shape of a failed build: the instruction buildah names and the most specific message.

    For a RUN that exits non-zero buildah only says "exit status N", so the message is the command's own last
    line of output (e.g. busybox's "mkdir: can't create directory '/x': Permission denied")."""
    text = output.replace(str(ctx.resolve()), CONTEXT_MARK).replace(str(ctx), CONTEXT_MARK)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    last = errors[-1] if errors else (lines[-1] if lines else "")
    out: Result = {"build": "fails"}
    m = _STEP.match(last)
    if m:
        out["step"] = m.group("step")
        why = m.group("why")
        if re.fullmatch(r"exit status \d+", why):
            tool = [line for line in lines if not _NOISE.match(line)]
            if tool:
                why = tool[-1]
        out["error"] = why
    else:
        out["error"] = last.removeprefix("Error: ")
    return out


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
