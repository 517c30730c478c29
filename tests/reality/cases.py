"""Reality cases: a Dockerfile, a build context and probes, with what really happened recorded next to them.

`cases/NNN-slug/` holds `Dockerfile`, an optional `context/`, and `case.yaml`:

```yaml
description: what users do here, and what happens
modes: {app/data: '0750'}          # optional: context modes git cannot keep (applied after 0755 dirs, 0644 files)
dirs: [empty/dir]                  # optional: empty context directories
probes:                            # run in the built image; the image's own command (CMD) always runs first
  - pip install six                #   as the image's USER
  - {run: uv pip install six, user: '12345:0'}
# --- written by `python -m tests.reality.record`; never by hand ---
recorded: {inputs: ..., build: ..., probes: [...], fixes: {...}}
```

A probe is what `docker run [--user U] IMAGE COMMAND` does. venvlint sees it the same way: the case's Dockerfile
with `USER U` and `CMD [COMMAND]` appended (a *variant*), which is what that `docker run` makes of the image.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import images

CASES = Path(__file__).parent / "cases"
KEYS = {"description", "modes", "dirs", "probes", "recorded", "options"}
RECORDED_HEAD = "# --- written by `python -m tests.reality.record`; never by hand ---"


@dataclass(frozen=True)
class Probe:
    """A command run in the built image: `run` None is the image's own command (ENTRYPOINT + CMD); `user` None is
    the image's USER."""

    run: tuple[str, ...] | None = None
    user: str | None = None

    @property
    def label(self) -> str:
        what = "the image's command" if self.run is None else " ".join(self.run)
        return f"{what} as {self.user}" if self.user else what

    def as_yaml(self) -> Any:
        if self.run is None and self.user is None:
            return "default"
        text = shlex.join(self.run) if self.run is not None else None
        return text if self.user is None else {"run": text, "user": self.user}


DEFAULT = Probe()


@dataclass
class Case:
    path: Path
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def dockerfile(self) -> str:
        return (self.path / "Dockerfile").read_text()

    @property
    def probes(self) -> list[Probe]:
        """The image's own command first, then the case's probes."""
        out = [DEFAULT]
        for item in self.data.get("probes") or []:
            p = _probe(item)
            if p not in out:
                out.append(p)
        return out

    @property
    def options(self) -> list[str]:
        """Extra venvlint options the case is linted with (as a user would pass them)."""
        return [str(o) for o in self.data.get("options") or []]

    @property
    def recorded(self) -> dict[str, Any]:
        rec = self.data.get("recorded")
        return rec if isinstance(rec, dict) else {}

    def inputs(self) -> str:
        """The digest of everything the recording rests on: Dockerfile, context (with modes), probes, options and
        the images' manifest (base packages, tool versions, image Dockerfiles)."""
        h = hashlib.sha256()
        for part in (self.dockerfile, json.dumps([p.as_yaml() for p in self.probes]), json.dumps(self.options),
                     json.dumps(self.data.get("modes") or {}, sort_keys=True), json.dumps(self.data.get("dirs") or []),
                     images.manifest_digest()):  # fmt: skip
            h.update(part.encode() + b"\0")
        ctx = self.path / "context"
        if ctx.is_dir():
            for f in sorted(ctx.rglob("*")):
                h.update(str(f.relative_to(ctx)).encode() + b"\0")
                if f.is_file():
                    h.update(f.read_bytes() + b"\0")
        return h.hexdigest()[:16]


def _probe(item: Any) -> Probe:
    if item == "default":
        return DEFAULT
    if isinstance(item, str):
        return Probe(tuple(shlex.split(item)))
    if isinstance(item, dict) and set(item) <= {"run", "user"}:
        run = item.get("run")
        return Probe(tuple(shlex.split(str(run))) if run not in (None, "default") else None,
                     str(item["user"]) if item.get("user") is not None else None)  # fmt: skip
    raise ValueError(f"a probe is a command line, `default`, or {{run:, user:}}, not {item!r}")


def load(path: Path) -> Case:
    data = yaml.safe_load((path / "case.yaml").read_text()) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path / 'case.yaml'}: not a mapping")
    return Case(path, data)


def all_cases(names: list[str] | None = None) -> list[Case]:
    if names:
        out = []
        for n in names:
            p = Path(n)
            p = p if (p / "case.yaml").is_file() else CASES / p.name
            if not (p / "case.yaml").is_file():
                raise SystemExit(f"no reality case {n!r} under {CASES}")
            out.append(load(p.resolve()))
        return out
    return [load(p) for p in sorted(CASES.iterdir()) if (p / "case.yaml").is_file()]


def problems(case: Case) -> list[str]:
    """What is wrong with a case folder (empty when it is well-formed)."""
    bad = [f"unknown key {k!r}" for k in case.data if k not in KEYS]
    if not re.fullmatch(r"\d{3}-[a-z0-9-]+", case.name):
        bad.append("folder name must be NNN-slug")
    if not isinstance(case.data.get("description"), str):
        bad.append("description: missing")
    try:
        case.probes  # noqa: B018 - parses them
    except ValueError as exc:
        bad.append(str(exc))
    stages: set[str] = set()
    for line in case.dockerfile.splitlines():
        words = [w for w in line.split() if not w.startswith("--")]
        if not words or words[0].upper() != "FROM" or len(words) < 2:
            continue
        if not words[1].startswith("localhost/reality/") and words[1] not in stages:
            bad.append(f"{line!r}: a case builds FROM the reality images or its own stages")
        if len(words) == 4 and words[2].upper() == "AS":
            stages.add(words[3])
    return bad


def prepare_context(case: Case, dest: Path) -> Path:
    """A copy of the case's context with the modes its build and its lint use: directories 0755, files 0644 (0755
    when executable in git), then `modes:`; `dirs:` created empty."""
    ctx = dest / "context"
    if ctx.exists():
        shutil.rmtree(ctx)
    src = case.path / "context"
    if src.is_dir():
        shutil.copytree(src, ctx, symlinks=True)
    else:
        ctx.mkdir(parents=True)
    for d in case.data.get("dirs") or []:
        (ctx / d).mkdir(parents=True, exist_ok=True)
    for dirpath, _dirs, files in os.walk(ctx):
        os.chmod(dirpath, 0o755)
        for name in files:
            f = Path(dirpath, name)
            if not f.is_symlink():
                os.chmod(f, 0o755 if f.stat().st_mode & stat.S_IXUSR else 0o644)
    modes = case.data.get("modes") or {}
    for rel in sorted(modes, key=lambda r: -str(r).count("/")):
        os.chmod(ctx / rel, int(str(modes[rel]), 8), follow_symlinks=False)
    return ctx


def variant(dockerfile: str, probe: Probe) -> tuple[str, int]:
    """The Dockerfile `docker run [--user U] IMAGE COMMAND` makes of the image (USER and CMD appended), and the line
    of the command in it (0 for the image's own command, which stays where the Dockerfile has it)."""
    if probe.run is None and probe.user is None:
        return dockerfile, 0
    text = dockerfile if dockerfile.endswith("\n") else dockerfile + "\n"
    lines = text.count("\n")
    if probe.user is not None:
        text += f"USER {probe.user}\n"
        lines += 1
    if probe.run is None:
        return text, 0
    if re.search(r"(?mi)^\s*ENTRYPOINT\b", dockerfile):
        text += "ENTRYPOINT []\n"
        lines += 1
    text += "CMD " + json.dumps(list(probe.run)) + "\n"
    return text, lines + 1


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write_recorded(case: Case, recorded: dict[str, Any]) -> None:
    """Rewrite case.yaml with `recorded:` replaced (everything above the recorded block kept as written)."""
    text = (case.path / "case.yaml").read_text()
    head = text.split(RECORDED_HEAD, 1)[0].rstrip() + "\n"
    block = yaml.safe_dump({"recorded": recorded}, sort_keys=False, width=120, allow_unicode=True)
    (case.path / "case.yaml").write_text(f"{head}{RECORDED_HEAD}\n{block}")
    case.data["recorded"] = recorded
