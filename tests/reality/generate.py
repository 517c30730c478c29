"""A differential tester for what nobody thought to write: Dockerfiles composed from fragments of the common
patterns (seeded, reproducible), built and probed for real, and compared with venvlint.

    python -m tests.reality.generate --seeds 1-2000 -j 3      # build what is not cached yet, judge every seed
    python -m tests.reality.generate --seeds 1-2000 --report docs/REALITY.md
    python -m tests.reality.generate --show 17                # the Dockerfile, context and probes of seed 17

A seed's real outcome is cached by the digest of what it builds (Dockerfile, context, probes, the images'
manifest) in $VENVLINT_REALITY_CACHE/generated, so judging again after a change to venvlint builds nothing.
Each unit (the build, each probe) lands in one cell of the confusion matrix: true error, missed failure, false
error, false warning, right quiet (tests/reality/agree.py says how).

The fragments stay inside what venvlint is for (who can write the venv, HOME, caches): a seed never fails for a
reason outside it (a command that is not installed, PEP 668 on Debian's own Python), so a miss is venvlint's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import agree, images
from .cases import DEFAULT, Probe
from .index import Index
from .runner import Runner, pool

UV = "uv==0.13.9"
UV_PROJECT = {
    "pyproject.toml": (Path(__file__).parent / "cases/052-workdir-copy-uv-sync-user/context/pyproject.toml"),
    "uv.lock": (Path(__file__).parent / "cases/052-workdir-copy-uv-sync-user/context/uv.lock"),
}


@dataclass
class Generated:
    seed: int
    family: str
    lines: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    probes: list[Probe] = field(default_factory=list)

    @property
    def dockerfile(self) -> str:
        return "\n".join(self.lines) + "\n"

    def digest(self) -> str:
        h = hashlib.sha256()
        for part in (self.dockerfile, json.dumps(self.files, sort_keys=True),
                     json.dumps([p.as_yaml() for p in self.all_probes]), images.manifest_digest()):  # fmt: skip
            h.update(part.encode() + b"\0")
        return h.hexdigest()[:20]

    @property
    def all_probes(self) -> tuple[Probe, ...]:
        out = [DEFAULT]
        for p in self.probes:
            if p not in out:
                out.append(p)
        return tuple(out)

    def probe(self, command: str, user: str | None = None) -> None:
        self.probes.append(Probe(tuple(shlex.split(command)), user))


@dataclass
class Account:
    made: str  # the RUN that makes it ("" for a bare uid)
    user: str  # as USER names it
    name: str  # as chown / install -o name it
    home: bool  # has a HOME directory it owns


ACCOUNTS = [
    Account("useradd -m app", "app", "app", True),
    Account("useradd -m -u 1000 app", "1000", "1000", True),
    Account("useradd -m -u 1000 app", "1000:1000", "1000", True),
    Account("useradd app", "app", "app", False),
    Account("useradd --system app", "app", "app", False),
    Account("", "1234", "1234", False),
]


def compose(seed: int) -> Generated:
    """The Dockerfile, context and probes of `seed` (the same for the same seed, on every machine). Seeds up to
    1000 draw from the first four families; later seeds from all six (user sites and cache mounts were added
    after the first thousand had been built, which keeps those the same)."""
    rng = random.Random(seed)
    names, weights = ["venv", "s2i", "uvproject", "stages"], [5, 2, 2, 2]
    if seed > 1000:
        names, weights = [*names, "usersite", "cachemount"], [*weights, 2, 2]
    family = rng.choices(names, weights=weights)[0]
    g = Generated(seed, family)
    {"venv": _venv, "s2i": _s2i, "uvproject": _uv_project, "stages": _stages, "usersite": _user_site,
     "cachemount": _cache_mount}[family](rng, g)  # fmt: skip
    return g


def _as_root(g: Generated, user: str | None, *runs: str) -> None:
    """RUN lines as root in a stage whose USER is `user` (None: root already)."""
    if user is not None:
        g.lines.append("USER root")
    g.lines.extend(f"RUN {r}" for r in runs)
    if user is not None:
        g.lines.append(f"USER {user}")


def _venv(rng: random.Random, g: Generated) -> None:
    """A venv made by venv, virtualenv or uv, by root or by the user, somewhere, handed over or not."""
    base = rng.choice(["python", "python", "debian", "tools"])
    maker = "venv" if base == "debian" else rng.choice(["venv", "venv", "virtualenv", "uv"])
    account = rng.choice([*ACCOUNTS, None])
    homes = ["home"] if account is not None and account.home and account.user == "app" else []
    where = rng.choice(["/opt/venv", "/app/.venv", *homes])
    venv = "/home/app/venv" if where == "home" else where
    by_user = account is not None and rng.random() < 0.5
    has_uv = base == "tools" or maker == "uv" or (base == "python" and rng.random() < 0.3)
    g.lines.append(f"FROM localhost/reality/{base}:1")
    setup = []
    if base == "python" and (has_uv or maker == "virtualenv"):
        wanted = [UV] * has_uv + ["virtualenv==21.15.11"] * (maker == "virtualenv")
        setup.append(f"pip install --no-cache-dir {' '.join(wanted)}")
    if account is not None and account.made:
        setup.append(account.made)
    if account is not None and where == "/app/.venv" and rng.random() < 0.5:
        setup.append(f"install -d -o {account.name} /app")
    elif account is not None and by_user and where == "/opt/venv":
        prep = rng.choice(["install -d -o {n} /opt/venv", "mkdir /opt/venv && chown {n} /opt/venv", ""])
        if prep:
            setup.append(prep.format(n=account.name))
    if setup:
        g.lines.append("RUN " + " && ".join(setup))
    if where == "/app/.venv":
        g.lines.append("WORKDIR /app")
    make = {"venv": f"python3 -m venv {venv}", "virtualenv": f"virtualenv {venv}", "uv": f"uv venv {venv}"}[maker]
    overlay = rng.random() < 0.15
    if overlay:
        g.files[f"overlay{venv}/etc/app.conf"] = "x = 1\n"
    if not by_user:
        steps = [make]
        if account is not None and rng.random() < 0.5:
            n = account.name
            steps.append(rng.choice([f"chown {n} {venv}", f"chown -R {n} {venv}",
                                     f"chown {n} {venv} {venv}/bin {venv}/lib/python3.11/site-packages"]))  # fmt: skip
        g.lines.append("RUN " + " && ".join(steps))
        if overlay:
            g.lines.append("COPY overlay/ /")
    env = rng.choice(["path", "virtual_env", "none"])
    if env == "path":
        g.lines.append(f"ENV PATH={venv}/bin:$PATH")
    elif env == "virtual_env":
        g.lines.append(f"ENV VIRTUAL_ENV={venv} PATH={venv}/bin:$PATH")
    cache = rng.choice(["", "", "PIP_NO_CACHE_DIR=1", "XDG_CACHE_HOME=/tmp/cache", "UV_CACHE_DIR=/tmp/uv-cache"])
    if cache:
        g.lines.append(f"ENV {cache}")
    if account is not None:
        g.lines.append(f"USER {account.user}")
    if by_user and account is not None:
        g.lines.append(f"RUN {make}")
        if overlay:
            g.lines += ["USER root", "COPY overlay/ /", f"USER {account.user}"]
    has_pip = maker != "uv"
    installs = ["none"] + (["pip", "bin/pip", "python -m pip"] if has_pip else []) + (["uv pip"] if has_uv else [])
    install = rng.choice(installs)
    command = {"pip": "pip install six" if env != "none" else None, "bin/pip": f"{venv}/bin/pip install six",
               "python -m pip": f"{venv}/bin/python -m pip install six",
               "uv pip": f"uv pip install --python {venv}/bin/python six"}.get(install)  # fmt: skip
    if command:
        g.lines.append(f"RUN {command}")
    check = "import six" if command else "print(1)"
    g.lines.append(f'CMD ["{venv}/bin/python", "-c", "{check}"]')
    if has_pip:
        g.probe(f"{venv}/bin/python -m pip install cowsay")
        if rng.random() < 0.3:
            g.probe(f"{venv}/bin/python -m pip install jupyterlab_widgets")
    if has_uv:
        g.probe(f"uv pip install --python {venv}/bin/python cowsay")
    if rng.random() < 0.3:
        g.probe(rng.choice([f"{venv}/bin/python -c 'print(1)'", f"{venv}/bin/python -m pip install cowsay"]
                           if has_pip else [f"{venv}/bin/python -c 'print(1)'"]), "12345:0")  # fmt: skip


def _s2i(rng: random.Random, g: Generated) -> None:
    """The s2i layout: root steps (installs, overlays, chown, group write) and 1001's, run by 1001 and by an
    arbitrary uid in group 0."""
    g.lines.append("FROM localhost/reality/s2i:1")
    root: list[str] = []
    uv = rng.random() < 0.4
    if uv:
        root.append(f"pip install --no-cache-dir {rng.choice([UV, 'uv==0.6.6'])}")
    if rng.random() < 0.5:
        root.append("pip install six")
    overlay = rng.random() < 0.4
    chown = rng.choice(
        ["", "chown -R 1001:0 /opt/app-root", "chown -R 1001:0 /opt/app-root && chmod -R g+rwX /opt/app-root"]
    )
    if chown:
        root.append(chown)
    if root or overlay:
        g.lines.append("USER 0")
        if root:
            g.lines.append("RUN " + " && ".join(root))
        if overlay:
            g.files["root/opt/app-root/etc/app.conf"] = "listen 8080;\n"
            g.lines.append("COPY root/ /")
        g.lines.append("USER 1001")
    if rng.random() < 0.5:
        g.lines.append(f"RUN {rng.choice(['pip install idna', 'umask 002 && pip install idna'])}")
    g.lines.append('CMD ["python", "-c", "print(1)"]')
    for user in (None, "12345:0"):
        g.probe("pip install cowsay", user)
        if uv:
            g.probe("uv pip install cowsay", user)
    if rng.random() < 0.5:
        g.probe("pip install jupyterlab_widgets", rng.choice([None, "12345:0"]))
    if "pip install six" in root:
        g.probe("pip install --upgrade --force-reinstall six", "12345:0")


def _uv_project(rng: random.Random, g: Generated) -> None:
    """A uv project in /app: synced by root or by the user, run with or without syncing, by users with and
    without a HOME."""
    g.files.update({name: path.read_text() for name, path in UV_PROJECT.items()})
    account = rng.choice([a for a in ACCOUNTS if a.made] + [None])
    g.lines.append("FROM localhost/reality/python:1")
    setup = [f"pip install --no-cache-dir {UV}"] + ([account.made] if account else [])
    if account is not None and rng.random() < 0.5:
        setup.append(f"install -d -o {account.name} /app")
    g.lines.append("RUN " + " && ".join(setup))
    g.lines.append("WORKDIR /app")
    chown = f"--chown={account.name} " if account and rng.random() < 0.5 else ""
    g.lines.append(f"COPY {chown}pyproject.toml uv.lock ./")
    sync = f"uv sync --locked{rng.choice(['', ' --no-dev'])}"
    by_user = account is not None and rng.random() < 0.5
    if not by_user:
        g.lines.append(f"RUN {sync}")
    if rng.random() < 0.3:
        g.lines.append(f"ENV {rng.choice(['UV_NO_SYNC=1', 'UV_CACHE_DIR=/tmp/uv-cache'])}")
    if account:
        g.lines.append(f"USER {account.user}")
    if by_user:
        g.lines.append(f"RUN {sync}")
    run = rng.choice(['"uv", "run", "python"', '"uv", "run", "--no-sync", "python"', '"/app/.venv/bin/python"'])
    g.lines.append(f'CMD [{run}, "-c", "import six"]')
    g.probe("uv pip install cowsay")
    if rng.random() < 0.5:
        g.probe("uv run python -c 'import six'", "12345:0")


def _stages(rng: random.Random, g: Generated) -> None:
    """A venv built in one stage and copied into another: with or without --chown, to the same path or not,
    onto the same Python or another."""
    builder = rng.choice(["python", "debian"])
    final = rng.choice(["python", "debian", "distroless"])
    g.lines.append(f"FROM localhost/reality/{builder}:1 AS build")
    g.lines.append("RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install six cowsay")
    g.lines.append("")
    g.lines.append(f"FROM localhost/reality/{final}:1")
    account = None if final == "distroless" else rng.choice([a for a in ACCOUNTS if a.made] + [None])
    if account:
        g.lines.append(f"RUN {account.made}")
    dest = rng.choice(["/opt/venv", "/opt/venv", "/srv/venv"])
    chown = f"--chown={account.name} " if account and rng.random() < 0.5 else ""
    g.lines.append(f"COPY --from=build {chown}/opt/venv {dest}")
    user = account.user if account else ("nonroot" if final == "distroless" and rng.random() < 0.5 else None)
    if user:
        g.lines.append(f"USER {user}")
    command = rng.choice(['"{d}/bin/python", "-c", "import six"', '"{d}/bin/cowsay", "-t", "hi"'])
    g.lines.append("CMD [" + command.format(d=dest) + "]")
    g.probe(f"{dest}/bin/python -m pip install idna")


def _user_site(rng: random.Random, g: Generated) -> None:
    """`pip install --user` (or pip's fall-back to the user site) by root or by the user, with a shared
    PYTHONUSERBASE or not, run by the user and by an arbitrary uid."""
    account = rng.choice([a for a in ACCOUNTS if a.made] + [ACCOUNTS[-1]])
    g.lines.append("FROM localhost/reality/python:1")
    if account.made:
        g.lines.append(f"RUN {account.made}")
    if rng.random() < 0.4:
        base = rng.choice(["/opt/pyuser", "/tmp/pyuser"])
        g.lines.append(f"ENV PYTHONUSERBASE={base}")
    if rng.random() < 0.3:
        g.lines.append("ENV HOME=/tmp")
    install = rng.choice(["pip install --user six", "pip install six", ""])
    by_root = bool(install) and rng.random() < 0.4
    if by_root:
        g.lines.append(f"RUN {install}")
    g.lines.append(f"USER {account.user}")
    if install and not by_root:
        g.lines.append(f"RUN {install}")
    g.lines.append(f'CMD ["python", "-c", "{"import six" if install else "print(1)"}"]')
    g.probe(rng.choice(["pip install --user cowsay", "pip install cowsay"]))
    if rng.random() < 0.5:
        g.probe("python -c 'import six'" if install else "pip install --user cowsay", "12345:0")


def _cache_mount(rng: random.Random, g: Generated) -> None:
    """A RUN's cache mount for uv or pip, where the tool keeps its cache or elsewhere, with the user's ids or
    root's."""
    tool = rng.choice(["uv", "pip"])
    as_user = rng.random() < 0.7
    g.lines.append("FROM localhost/reality/python:1")
    setup = [f"pip install --no-cache-dir {UV}"] if tool == "uv" else []
    setup += ["useradd -m -u 1000 app", "install -d -o app /opt/venv"]
    g.lines.append("RUN " + " && ".join(setup))
    home = "/home/app" if as_user else "/root"
    target = rng.choice([f"{home}/.cache/{tool}", f"/tmp/{tool}-cache", f"{home}/.cache"])
    if target.startswith("/tmp/"):
        g.lines.append(f"ENV {'UV_CACHE_DIR' if tool == 'uv' else 'PIP_CACHE_DIR'}={target}")
    if as_user:
        g.lines.append("USER app")
    g.lines.append("RUN " + ("uv venv /opt/venv" if tool == "uv" else "python3 -m venv /opt/venv"))
    ids = rng.choice(["", ",uid=1000", ",uid=1000,gid=1000", ",mode=0777"])
    install = ("uv pip install --python /opt/venv/bin/python six" if tool == "uv" else
               "/opt/venv/bin/pip install six")  # fmt: skip
    g.lines.append(f"RUN --mount=type=cache,target={target}{ids} {install}")
    g.lines.append('CMD ["/opt/venv/bin/python", "-c", "import six"]')


# ------------------------------------------------------------------------------------------------------ running
def results_dir() -> Path:
    d = images.cache_dir() / "generated"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _context(g: Generated, root: Path) -> Path:
    ctx = root / "context"
    ctx.mkdir(parents=True, exist_ok=True)
    for name, text in g.files.items():
        f = ctx / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    return ctx


def real(g: Generated) -> dict[str, Any] | None:
    f = results_dir() / f"{g.digest()}.json"
    return json.loads(f.read_text()) if f.is_file() else None


def build_all(seeds: list[int], jobs: int, progress: Callable[[str], None] = print) -> None:
    """Build and probe every seed whose outcome is not cached yet."""
    todo = [g for g in map(compose, seeds) if real(g) is None]
    if not todo:
        return
    start = time.monotonic()
    with Index(), pool(jobs) as p, tempfile.TemporaryDirectory(prefix="venvlint-generated-") as tmp:

        def job(r: Runner, g: Generated) -> None:
            ctx = _context(g, Path(tmp) / str(g.seed))
            out = r.build_and_probe(g.dockerfile, ctx, list(g.all_probes))
            target = results_dir() / f"{g.digest()}.json"
            target.write_text(json.dumps({"seed": g.seed, **out}))

        futures = [p.submit(lambda r, g=g: job(r, g)) for g in todo]
        for i, f in enumerate(futures, 1):
            f.result()
            if i % 25 == 0 or i == len(futures):
                progress(f"{i}/{len(futures)} built ({time.monotonic() - start:.0f} s)")


@dataclass
class Matrix:
    cells: Counter[str] = field(default_factory=Counter)
    cases: Counter[str] = field(default_factory=Counter)
    disagreements: dict[int, list[str]] = field(default_factory=dict)
    families: Counter[str] = field(default_factory=Counter)
    unbuilt: list[int] = field(default_factory=list)


def judge_all(seeds: list[int]) -> Matrix:
    m = Matrix()
    with tempfile.TemporaryDirectory(prefix="venvlint-generated-judge-") as tmp:
        for seed in seeds:
            g = compose(seed)
            outcome = real(g)
            if outcome is None:
                m.unbuilt.append(seed)
                continue
            subject = agree.Subject(f"seed {seed}", g.dockerfile, _context(g, Path(tmp) / str(seed)), g.all_probes)
            j = agree.judge(subject, outcome, fix_lint=False)
            m.families[g.family] += 1
            for u in j.units:
                m.cells[u.cell] += 1
            failing = outcome["build"] != agree.REAL_OK or any(o != agree.REAL_OK for o in outcome["probes"])
            m.cases["failing" if failing else "working"] += 1
            if j.disagreements:
                m.disagreements[seed] = j.disagreements
    return m


def report(m: Matrix, seeds: list[int]) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=Path(__file__).parent).stdout.strip()  # fmt: skip
    judged = sum(m.cases.values())
    lines = [
        f"Measured at commit {commit} on seeds {seeds[0]}-{seeds[-1]} ({judged} Dockerfiles: "
        f"{m.cases['failing']} fail somewhere for real, {m.cases['working']} work; "
        + ", ".join(f"{k} {v}" for k, v in sorted(m.families.items()))
        + ").",
        "",
        "| unit (the build, each probe) | venvlint errs or warns | venvlint is quiet |",
        "|---|---|---|",
        f"| fails for real | true error: {m.cells['true error']} | missed failure: {m.cells['missed failure']} |",
        f"| works for real | false error: {m.cells['false error']}, false warning: {m.cells['false warning']} "
        f"| right quiet: {m.cells['right quiet']} |",
    ]
    return "\n".join(lines) + "\n"


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.reality.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1-50")
    ap.add_argument("-j", "--jobs", type=int, default=3)
    ap.add_argument("--show", type=int, help="print one seed's Dockerfile, context and probes")
    ap.add_argument("--judge-only", action="store_true", help="build nothing: judge what is cached")
    ap.add_argument("--report", help="rewrite the confusion matrix between the markers in this file")
    args = ap.parse_args(argv)
    if args.show is not None:
        g = compose(args.show)
        print(f"# seed {g.seed} ({g.family})\n{g.dockerfile}")
        for name, text in g.files.items():
            print(f"# context/{name}\n{text}")
        for p in g.all_probes:
            print(f"# probe: {p.label}")
        return 0
    seeds = _seeds(args.seeds)
    if not args.judge_only:
        build_all(seeds, args.jobs)
    m = judge_all(seeds)
    for seed, problems in sorted(m.disagreements.items()):
        print(f"seed {seed} ({compose(seed).family}):")
        for p in problems:
            print(f"    {p}")
    text = report(m, seeds)
    print(text)
    if args.report:
        path = Path(args.report)
        doc = path.read_text()
        head, mark, rest = doc.partition("<!-- generated-matrix -->")
        _, end, tail = rest.partition("<!-- /generated-matrix -->")
        if not mark or not end:
            raise SystemExit(f"{path} has no <!-- generated-matrix --> ... <!-- /generated-matrix --> block")
        path.write_text(f"{head}{mark}\n{text}{end}{tail}")
    return 1 if m.disagreements or m.unbuilt else 0


if __name__ == "__main__":
    sys.exit(main())
