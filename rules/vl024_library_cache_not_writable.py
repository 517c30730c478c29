"""## What it does
Finds a library the build installs that writes a cache when the container runs (the Hugging Face hub behind
transformers, datasets and sentence-transformers; numba's cache behind librosa; matplotlib; torch.hub;
tiktoken), where that cache cannot be written by a user the image runs as: its HOME is `/`, `/nonexistent`, a
directory root made, or a variable (`HF_HOME`, `NUMBA_CACHE_DIR`, ...) names a directory that user cannot write.
Also finds a model downloaded at build time as root (a RUN whose text calls the hub's download API or CLI:
`from_pretrained(`, `snapshot_download(`, `SentenceTransformer(`, `huggingface-cli download`, ...) into root's
HOME, where a runtime user whose cache is elsewhere does not look; and nltk data downloaded as root at build time
(`python -m nltk.downloader`, `nltk.download(`) into `/root/nltk_data`, which no other user searches
(`LookupError`). It reads which packages go into which
environment from the install commands and the files they read from the build context (`requirements.txt`, `pyproject.toml`, `uv.lock`, `poetry.lock`, a conda environment file), and
where each library writes from a table measured with the real libraries (`venvlint.libraries`).

## Why is this bad?
The library fails where the application first needs it, not at build time. Measured as uid 1001 with HOME `/`,
`/nonexistent` or a `root:root 0755` directory: `hf_hub_download` (huggingface_hub 2.4.0) raises
`PermissionError: [Errno 13] Permission denied: '/.cache'` and transformers 5.25.0 `OSError: PermissionError at
/.cache when downloading ...` (`TRANSFORMERS_CACHE` no longer moves the cache); librosa 0.11.0 raises
`RuntimeError: cannot cache function '__o_fold': no locator available` at its first call (numba 0.68.1 tries
`NUMBA_CACHE_DIR`, `__pycache__` beside librosa's sources, then `~/.cache/numba`); matplotlib 3.11.2 warns and
builds its font cache again in a new temporary directory at every start. An error where the library fails at its
first use and every premise is known (installed into the environment the container's `python` runs in, the place
known unwritable, the variables known unset); a warning where it fails only when it downloads something (a model
the image does not already hold); an info where it only falls back. A cache the build filled (a COPY of models, or
a download venvlint cannot see) is not reported: the hub reads a root-owned cache as another user, online and with
`HF_HUB_OFFLINE=1` (measured). A model downloaded into `/root/.cache` at build time is downloaded again at every
start by any other user (an info), or missing when `HF_HUB_OFFLINE` is set (a warning); `ENV HF_HOME=/opt/huggingface`
before the download puts it where every user reads it.

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir librosa
RUN useradd app
USER app
CMD ["python", "app.py"]
```

## Use instead
Point the library's variable at a directory the user can create:
```dockerfile
FROM python:3.12-slim
RUN pip install --no-cache-dir librosa
RUN useradd app
ENV NUMBA_CACHE_DIR=/tmp/numba-cache
USER app
CMD ["python", "app.py"]
```
or give the user a home it owns (`useradd -m app`), or hand it the directory a variable names (`RUN install -d -o
app /models`). A model downloaded at build time belongs where the runtime user's cache is: set `HF_HOME` for both.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from itertools import pairwise
from typing import NamedTuple

from venvlint.edits import Changes, Edit, runs_as_root
from venvlint.findings import Problem, Severity
from venvlint.query import (
    LIBRARY_WRITES,
    Build,
    Found,
    Home,
    Identity,
    Installed,
    Instruction,
    Knowledge,
    LibraryWrite,
    OnFailure,
    Place,
    Premise,
    PremiseKind,
    RuntimeIdentity,
    Tri,
    Verdict,
    When,
    can_traverse,
    nltk_search_path,
    place,
    variables,
)

from ._common import as_root_before, describe_path, env_before, last_change

CODE = "VL024"
NAME = "library-cache-not-writable"
SEVERITY = Severity.ERROR
SUMMARY = "An installed library's runtime cache (Hugging Face, numba, matplotlib, ...) is not writable for the user"
SCENARIOS = ("S7", "S10")
REFERENCES = (
    "https://huggingface.co/docs/huggingface_hub/package_reference/environment_variables",
    "https://numba.readthedocs.io/en/stable/reference/envvars.html#envvar-NUMBA_CACHE_DIR",
    "https://matplotlib.org/stable/install/environment_variables_faq.html",
    "https://github.com/librosa/librosa/issues/1156",
    "https://github.com/librosa/librosa/issues/1868",
)
FIX = "unsafe"  # the documented example's fix: safe (--fix), unsafe (--unsafe-fixes) or manual
TRUE = frozenset({"1", "true", "yes", "on"})  # how huggingface_hub reads a boolean variable (constants._is_true)


class _Hit(NamedTuple):
    """One row that fails for one identity: the install that brought it, where it writes, the verdicts."""

    row: LibraryWrite
    installed: Installed
    places: tuple[Place, ...]
    site: str | None  # the site-packages of the environment it is installed in
    verdicts: tuple[Verdict, ...]
    premises: tuple[Premise, ...]


class _Download(NamedTuple):
    """A RUN that downloads through a row's library as root at build time, and where that puts the files."""

    row: LibraryWrite
    line: int
    stage: str
    path: str


def check(build: Build) -> Iterator[Problem]:
    installs = [i for i in build.installed if i.names and build.in_image(i)]
    if not installs:
        return
    env = dict(build.final.env)
    downloads = [d for row in LIBRARY_WRITES if (d := _build_download(build, row, installs, env)) is not None]
    nltk = _nltk_downloads(build, installs, env) if any("nltk" in i.names for i in installs) else []
    seen: set[tuple[int | None, bool, str]] = set()
    said: set[int] = set()  # the download lines reported (once, for the first identity that looks elsewhere)
    for ri in build.runtime_identities:
        who = ri.identity
        if who.is_root or (who.uid is None and not who.arbitrary and not who.name):
            continue
        key = (who.uid, who.arbitrary, who.name or "")
        if key in seen:
            continue
        seen.add(key)
        home = build.home(who)
        hits = [h for row in LIBRARY_WRITES if (h := _hit(build, row, installs, who, env, home)) is not None]
        names = frozenset().union(*(i.names for i in installs))
        hits = [h for h in hits if not _covered(h, hits, env, names)]
        by_variable: dict[str, list[_Hit]] = {}
        for h in hits:
            by_variable.setdefault(h.row.fix_variable, []).append(h)
        for variable, group in by_variable.items():
            keys = {h.row.key for h in group}
            yield _problem(
                build, ri, home, variable, group, env, next((d for d in downloads if d.row.key in keys), None)
            )
        for d in downloads:
            if d.row.fix_variable in by_variable or d.line in said:
                continue
            runtime = _runtime_place(build, d.row, env, home)
            if runtime is not None and runtime != d.path:
                said.add(d.line)
                yield _download_problem(build, ri, home, d, runtime, env)
        for nd in nltk:
            if nd.line not in said and (found := _nltk_problem(build, ri, home, nd, env, installs)) is not None:
                said.add(nd.line)
                yield found


def _hit(build: Build, row: LibraryWrite, installs: list[Installed], who: Identity, env: dict[str, str],
         home: Home | None) -> _Hit | None:  # fmt: skip
    """The row fails for `who` when every place it tries is known or assumed not writable."""
    inst = next((i for i in installs if row.brought_by & i.names), None)
    if inst is None or any(env.get(v) for v in row.moved_in_some_versions):
        return None
    home_path = home.path if home is not None and home.path.startswith("/") else None
    site = build.site_packages(inst.env_path)
    places: list[Place] = []
    for chain in row.places:
        p = place(chain, env, home_path, site, build.final.workdir)
        if p is not None:
            places.append(p)
        elif _default_applies(chain, env):
            return None  # the default needs a HOME or site-packages the model does not know: not judged
    if not places:
        return None  # nothing the row writes applies here (tiktoken without its variables)
    if row.when is When.DOWNLOAD and any(_filled(build, p.path) for p in places):
        # A cache the build filled (a COPY of models): what is in it is read without writing (measured: the hub
        # serves a root-owned cache to another user, online and offline); only a download of something else fails.
        return None
    verdicts = tuple(build.writable(p.path, who, create=p.path != site) for p in places)
    if not all(v.no for v in verdicts):
        return None
    premises = [*(q for v in verdicts for q in v.premises), *_runtime_python(build, inst)]
    if home is not None and any(not p.variable and p.path != site for p in places):
        premises.extend(home.premises)
    unset = [v for v in variables(row) if not env.get(v)]
    if unset and build.env_open():
        premises.append(Premise(PremiseKind.COMMAND, row.library, Knowledge.ASSUMED, 0,
                                assumption=f"that the base image sets none of {', '.join(unset)} (its environment is "
                                           "not known)"))  # fmt: skip
    return _Hit(row, inst, tuple(places), site, verdicts, tuple(premises))


def _build_download(
    build: Build, row: LibraryWrite, installs: list[Installed], env: dict[str, str]
) -> _Download | None:
    """The last RUN of the image's stages that downloads through `row`'s library as root, with none of its variables
    and no HOME set by the image: the files go below root's HOME (`/root/.cache/huggingface/hub`)."""
    if not row.build_markers or not any(row.brought_by & i.names for i in installs):
        return None
    if "HOME" in env or any(env.get(v) for v in variables(row)) or build.env_open():
        return None
    found: _Download | None = None
    for name, ins in _root_runs(build):
        if any(m in ins.original for m in row.build_markers):
            path = _runtime_place(build, row, {}, None, "/root")
            if path is not None:
                found = _Download(row, ins.line, name, path)
    return found


def _root_runs(build: Build) -> Iterator[tuple[str, Instruction]]:
    """(stage, RUN) for every RUN as root of the image's stages, in build order (it stops at a stage the build
    does not hold: an image's)."""
    for name in reversed(build.lineage()):
        stage = build.stage(name)
        if stage is None:
            return
        for ins in build.instructions_of(stage):
            user = build.user_at(name, ins.line)
            if ins.cmd == "RUN" and user is not None and runs_as_root(user):
                yield name, ins


def _runtime_place(build: Build, row: LibraryWrite, env: dict[str, str], home: Home | None, home_path: str = ""
                   ) -> str | None:  # fmt: skip
    """Where the first place of `row` is for a HOME (`home`, or the path `home_path`) in `env`."""
    path = home_path or (home.path if home is not None and home.path.startswith("/") else None)
    found = place(row.places[0], env, path, None, build.final.workdir)
    return found.path if found is not None else None


def _offline(env: dict[str, str]) -> str:
    """The variable that keeps the hub from downloading, when the image sets it true."""
    return next((v for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE") if env.get(v, "").lower() in TRUE), "")


def _download_problem(build: Build, ri: RuntimeIdentity, home: Home | None, d: _Download, runtime: str,
                      env: dict[str, str]) -> Problem:  # fmt: skip
    """The runtime user's cache is writable, but the build's download went below root's HOME."""
    who, row = ri.identity, d.row
    offline = _offline(env)
    effect = (f"with `{offline}` set, it fails for want of the files" if offline
              else "it downloads everything again when the container starts")  # fmt: skip
    return Problem(
        d.line,
        d.path,
        f"line {d.line} downloads through {row.library} as root at build time into `{d.path}` (root's HOME, "
        f"`{row.fix_variable}` unset), but {who.label()} runs the container ({ri.source}) and looks in `{runtime}`: "
        f"{effect}.",
        _download_fix(d, who),
        severity=Severity.WARNING if offline else Severity.INFO,
        stage=d.stage,
        related=tuple(x for x in (ri.line, home.line if home else 0) if x and x != d.line),
        premises=_download_premises(d),
        edits=env_before(build, d.stage, d.line, row.fix_variable, row.shared_path),
    )


def _download_fix(d: _Download, who: Identity) -> str:
    return (f"set `ENV {d.row.fix_variable}={d.row.shared_path}` before line {d.line}: the build downloads there and "
            f"{who.label()} reads it (a cache root filled is read by other users)")  # fmt: skip


def _download_premises(d: _Download) -> tuple[Premise, ...]:
    """What the finding assumes about the RUN: its text is matched, its code is not run."""
    return (Premise(PremiseKind.COMMAND, d.row.library, Knowledge.ASSUMED, d.line,
                    assumption=f"that line {d.line} downloads through {d.row.library} (its text names the library's "
                               "download API)"),)  # fmt: skip


def _filled(build: Build, path: str) -> bool:
    """`path` is a directory of the image that may hold something (not known empty)."""
    real = build.fs.resolve(path)
    return build.fs.get(real) is not None and not build.fs.known_empty(real)


def _default_applies(chain: tuple[str, ...], env: dict[str, str]) -> bool:
    """No variable of `chain` is set and it has a default (below HOME or site-packages)."""
    unset = not any(alt.startswith("$") and env.get(alt[1:].partition("/")[0]) for alt in chain)
    return unset and any(alt.startswith(("~", "@")) for alt in chain)


def _covered(hit: _Hit, hits: list[_Hit], env: dict[str, str], names: frozenset[str]) -> bool:
    """A row another installed row takes over (`names`: every distribution the image's installs name): the hub's
    cache where sentence-transformers fails too (one finding, its own), or keeps its models elsewhere because
    SENTENCE_TRANSFORMERS_HOME is set."""
    return any(hit.row.key in h.row.covers and h is not hit for h in hits) or any(
        hit.row.key in row.covers and row.brought_by & names and env.get(variables(row)[0]) for row in LIBRARY_WRITES
    )


def _runtime_python(build: Build, inst: Installed) -> tuple[Premise, ...]:
    """The premise that the container's Python is the one the packages went into: known where `python` on the
    image's PATH is that environment's (or, for the interpreter's own site-packages, no environment's)."""
    found, root = build.python_environment()
    if found.found is Found.YES and root == inst.env_path:
        return ()
    where = inst.env_path or "the interpreter's own site-packages"
    return (Premise(PremiseKind.COMMAND, "python", Knowledge.ASSUMED, inst.line,
                    assumption=f"that the container's Python is the one whose packages are in {where}"),)  # fmt: skip


def _severity(row: LibraryWrite) -> Severity:
    if row.on_failure is OnFailure.FALLS_BACK:
        return Severity.INFO
    return Severity.ERROR if row.when is When.USE else Severity.WARNING


def _problem(build: Build, ri: RuntimeIdentity, home: Home | None, variable: str, group: list[_Hit],
             env: dict[str, str], download: _Download | None) -> Problem:  # fmt: skip
    who = ri.identity
    first = group[0]
    severity = max((_severity(h.row) for h in group), key=lambda s: s.rank)
    closed = first.verdicts[-1]
    path = first.places[-1].path
    libraries = ", ".join(dict.fromkeys(h.row.library for h in group))
    inst = first.installed
    names = ", ".join(f"`{n}`" for n in sorted(first.row.brought_by & inst.names)[:3])
    installed = f"{names} installed at line {inst.line}" + (
        f" ({', '.join(inst.sources)})" if inst.sources and inst.sources != ("the command line",) else ""
    )
    where = "; ".join(_place_text(h, home) for h in group)
    when = {When.USE: "at its first use", When.DOWNLOAD: "at the first download"}
    effects = "; ".join(f"{h.row.library} {when[h.row.when]}: {h.row.failure}" for h in group)
    effects = effects[:1].upper() + effects[1:]
    message = (
        f"{who.label()} runs the container ({ri.source}); {installed} brings {libraries}, which "
        f"{'keep' if len(group) > 1 else 'keeps'} {where}; but {closed.reason}"
        f"{describe_path(build.fs, closed.path)}. {effects}."
    )
    explicit = [p.variable for h in group for p in h.places if p.variable]
    fixed = group[0].row.fix_path
    premises = tuple(dict.fromkeys(q for h in group for q in h.premises))
    if download is not None and download.path != path:
        message += (f" Line {download.line} downloads through {download.row.library} as root into `{download.path}`, "
                    "which the container does not look in.")  # fmt: skip
        fix = _download_fix(download, who)
        edits: tuple[Edit, ...] = env_before(build, download.stage, download.line, variable, download.row.shared_path)
        premises += _download_premises(download)
    elif env.get(variable) or explicit:
        step, edits = _hand_over(build, ri, path)
        fix = (f"hand the directory `{explicit[0] if explicit else variable}` names to {who.label()}, as root and "
               f"without recursion (`RUN {step}`), or point the variable at a directory it can create")  # fmt: skip
    else:
        fix = (f"point `{variable}` at a directory {who.label()} can create, e.g. `ENV {variable}={fixed}` (or a "
               "directory handed to the user), or give the user a HOME it owns")  # fmt: skip
        edits = _edit(build, ri, variable, fixed)
    line = ri.line or (inst.line if inst.stage in build.lineage() else 0) or build.from_line()
    related = tuple(dict.fromkeys(x for x in (inst.line, home.line if home else 0,
                                               *(build.env_line(p.variable) for h in group for p in h.places
                                                 if p.variable)) if x and x != line))  # fmt: skip
    return Problem(
        line,
        path,
        message,
        fix,
        severity=severity,
        stage=build.final.name,
        related=related,
        premises=premises,
        causes=last_change(build.fs, closed.path),
        edits=edits,
    )


def _place_text(hit: _Hit, home: Home | None) -> str:
    """`its download cache in /.cache/huggingface/hub (HOME /, HF_HOME unset)`."""
    parts = []
    for p in hit.places:
        if p.variable:
            parts.append(f"`{p.path}` (from `{p.variable}`)")
        elif p.path == hit.site:
            parts.append(f"`__pycache__` beside its sources in `{p.path}`")
        elif home is not None and (p.path == home.path or p.path.startswith(home.path.rstrip("/") + "/")):
            parts.append(f"`{p.path}` (below HOME `{home.path}`, {_home_source(home)})")
        else:
            parts.append(f"`{p.path}`")
    return f"{hit.row.what} in {' or '.join(parts)}"


def _home_source(home: Home) -> str:
    if home.account:
        return f"{home.source.value}, {home.account}"
    return home.source.value


def _hand_over(build: Build, ri: RuntimeIdentity, path: str) -> tuple[str, tuple[Edit, ...]]:
    """The step that gives `path` (a directory a variable names) to the user, and its edit before the final USER:
    `install -d -o app /models/hub` where it is missing, `chown app /tiktoken` where it is there and empty; no
    edit where it holds what the build put there (a chown of its top would not give those back), or where the
    user or its group has no name."""
    who, fs, final = ri.identity, build.fs, build.final
    group = final.users.group_name(who.gid) if who.gid is not None else None
    node = fs.get(fs.resolve(path))
    step = (f"install -d -o {who.owner_name}{f' -g {group}' if group else ''} {path}" if node is None
            else f"chown {who.owner_name}{f':{group}' if group else ''} {path}")  # fmt: skip
    if (not who.name or not group or not ri.line or ri.line != final.user_line
            or (node is not None and not fs.known_empty(fs.resolve(path)))):  # fmt: skip
        return step, ()
    return step, as_root_before(build, final.name, ri.line, f"RUN {step}", changes=Changes.OWNERSHIP)


def _edit(build: Build, ri: RuntimeIdentity, variable: str, value: str) -> tuple[Edit, ...]:
    """`ENV variable=value` before the final USER (or the container's command): a directory below /tmp that the
    user creates. None where /tmp is not known to be writable for the user, or no line of the final stage fits."""
    if not build.writable(posixpath.dirname(value), ri.identity, create=False).yes:
        return ()
    final = build.final
    line = final.user_line if ri.line and final.user_line == ri.line else 0
    if not line and build.commands:
        line = build.commands[0].line
    if not line or build.stage_of_line(line) != final.name:
        return ()
    return env_before(build, final.name, line, variable, value)


# A download of nltk data as root at build time lands in /root/nltk_data unless a directory of nltk's search path
# exists (`nltk_search_path`, measured), and any other user gets `LookupError: Resource ... not found`.
NLTK_SHARED = "/usr/local/share/nltk_data"  # on every user's search path: made before the download, it takes it
NLTK_CODE = ("nltk.download(", "nltk.download_shell(")


class _NltkDownload(NamedTuple):
    line: int
    stage: str
    path: str  # where the data went
    known: bool  # `python -m nltk.downloader` on the command line (the code form is matched in the RUN's text)
    prefix: str | None  # sys.prefix of the environment nltk is installed in, when it is a venv


def _nltk_downloads(build: Build, installs: list[Installed], env: dict[str, str]) -> list[_NltkDownload]:
    """The RUNs of the image's stages that download nltk data as root, and where each puts it."""
    inst = next(i for i in installs if "nltk" in i.names)
    prefix = inst.env_path
    root_home = env.get("HOME") or "/root"
    out: list[_NltkDownload] = []
    for name, ins in _root_runs(build):
        words = ins.args if ins.json_form else tuple(ins.original.split())
        cli = any(w == "-m" and nxt == "nltk.downloader" for w, nxt in pairwise(words))
        if not cli and not any(m in ins.original for m in NLTK_CODE):
            continue
        target = next((nxt for w, nxt in pairwise(words) if w in ("-d", "--dir")), None)
        if target is None:
            target = next(
                (p for p in nltk_search_path(env, root_home, prefix) if _there_before(build, p, ins.line)),
                posixpath.join(root_home, "nltk_data"),
            )
        if target.startswith("/"):
            out.append(_NltkDownload(ins.line, name, posixpath.normpath(target), cli, prefix))
    return out


def _there_before(build: Build, path: str, line: int) -> bool:
    """`path` is a directory of the image made before `line` (by the base image, or an earlier instruction)."""
    node = build.fs.get(build.fs.resolve(path))
    return node is not None and bool(node.history) and node.history[0].cause.line < line


def _nltk_problem(build: Build, ri: RuntimeIdentity, home: Home | None, d: _NltkDownload, env: dict[str, str],
                  installs: list[Installed]) -> Problem | None:  # fmt: skip
    """The runtime user does not search, or cannot reach, the directory the build's download put nltk's data in."""
    who = ri.identity
    home_path = home.path if home is not None and home.path.startswith("/") else None
    if home_path is None and not any(p.startswith("/") for p in env.get("NLTK_DATA", "").split(":")):
        return None  # where it searches first is not known
    search = nltk_search_path(env, home_path, d.prefix)
    reach = can_traverse(build.fs, who, posixpath.join(d.path, "x"))
    if d.path in search and reach.result is not Tri.NO:
        return None
    if d.path in search:
        why = f"it searches `{d.path}` but cannot reach it: {reach.reason}"
        premises: tuple[Premise, ...] = reach.premises
    else:
        why = f"its nltk searches {', '.join(f'`{p}`' for p in search[:2])} and the system directories, not `{d.path}`"
        premises = home.premises if home is not None else ()
    if not d.known:
        premises += (Premise(PremiseKind.COMMAND, "nltk", Knowledge.ASSUMED, d.line,
                             assumption=f"that line {d.line} downloads nltk data (its text calls `nltk.download`)"),)  # fmt: skip
    return Problem(
        d.line,
        d.path,
        f"line {d.line} downloads nltk data as root at build time into `{d.path}` (the first directory of nltk's "
        f"search path that exists, else root's HOME), but {who.label()} runs the container ({ri.source}) and "
        f"{why}: loading it fails with `LookupError: Resource ... not found`.",
        f"make `{NLTK_SHARED}` before line {d.line} (`RUN mkdir -p {NLTK_SHARED}`, as root): nltk downloads into the "
        "first directory of its search path that exists, and every user searches that one; or download with "
        f"`python -m nltk.downloader -d {NLTK_SHARED} ...`",
        stage=d.stage,
        related=tuple(x for x in (ri.line, home.line if home else 0) if x and x != d.line),
        premises=premises,
        edits=as_root_before(build, d.stage, d.line, f"RUN mkdir -p {NLTK_SHARED}", changes=Changes.COMMANDS),
    )
