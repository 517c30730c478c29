"""Lay out the real-world corpus: every manifest entry's Dockerfile and build context, from repository snapshots.

    python bench/corpus/layout.py --out DIR [--mirror /work/.mirror] [--manifest bench/corpus/manifest.yaml]

For each entry of manifest.yaml this extracts, from the snapshot's git directory (MIRROR/owner+name/repo) at the
recorded commit, the context folder, the Dockerfile and a `<Dockerfile>.dockerignore` next to it if the repository has
one, into DIR/<id>/ with their repository-relative paths:

    git -c tar.umask=0022 --git-dir=... archive COMMIT -- PATHS | tar -x

(umask 022: directories 0755, files 0644 or 0755, as a typical checkout). Snapshots lack files of 4 MiB and more;
such files of a context are left out (named on stderr). DIR/index.json lists what was laid out. Repositories
without a snapshot here, or whose snapshot lacks the commit, are reported as `missing: owner/name (fetch it)` and
skipped. Exit 0 when at least one entry was laid out, 1 when none was, 2 on a bad manifest or arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_MANIFEST = HERE / "manifest.yaml"
DEFAULT_MIRROR = Path("/work/.mirror")
_REPO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{40}$")


class ManifestError(Exception):
    """The manifest is not a list of well-formed entries."""


@dataclass(frozen=True)
class Entry:
    repo: str
    commit: str
    dockerfile: str
    context: str
    target: str | None
    build_args: dict[str, str]
    kind: str
    note: str | None = None


def _rel_path(value: object, field: str, where: str) -> str:
    """A repository-relative POSIX path without `..`, or `.` for the repository root."""
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: {field} must be a non-empty string")
    p = PurePosixPath(value)
    if p.is_absolute() or ".." in p.parts:
        raise ManifestError(f"{where}: {field} must be a path inside the repository, not {value!r}")
    return str(p)


def load_manifest(path: Path) -> list[Entry]:
    """The manifest's entries, checked field by field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: {exc}") from None
    if not isinstance(data, list):
        raise ManifestError(f"{path}: expected a list of entries")
    entries: list[Entry] = []
    for n, item in enumerate(data, 1):
        where = f"{path.name} entry {n}"
        if not isinstance(item, dict):
            raise ManifestError(f"{where}: not a mapping")
        unknown = set(item) - {"repo", "commit", "dockerfile", "context", "target", "build_args", "kind", "note"}
        if unknown:
            raise ManifestError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        repo, commit, kind = item.get("repo"), item.get("commit"), item.get("kind")
        if not isinstance(repo, str) or not _REPO_RE.match(repo):
            raise ManifestError(f"{where}: repo must be owner/name, not {repo!r}")
        if not isinstance(commit, str) or not _SHA_RE.match(commit):
            raise ManifestError(f"{where}: commit must be a full 40-hex sha, not {commit!r}")
        if not isinstance(kind, str) or not kind:
            raise ManifestError(f"{where}: kind must be a non-empty string")
        target = item.get("target")
        if target is not None and (not isinstance(target, str) or not target):
            raise ManifestError(f"{where}: target must be a stage name or null")
        raw_args = item.get("build_args") or {}
        if not isinstance(raw_args, dict):
            raise ManifestError(f"{where}: build_args must be a mapping")
        build_args: dict[str, str] = {}
        for k, v in raw_args.items():
            if not isinstance(k, str) or not k or "=" in k:
                raise ManifestError(f"{where}: bad build arg name {k!r}")
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                raise ManifestError(f"{where}: build arg {k} must be a string")
            build_args[k] = str(v)
        note = item.get("note")
        if note is not None and not isinstance(note, str):
            raise ManifestError(f"{where}: note must be a string")
        entries.append(
            Entry(
                repo=repo,
                commit=commit,
                dockerfile=_rel_path(item.get("dockerfile"), "dockerfile", where),
                context=_rel_path(item.get("context", "."), "context", where),
                target=target,
                build_args=build_args,
                kind=kind,
                note=note,
            )
        )
    return entries


def entry_ids(entries: list[Entry]) -> list[str]:
    """Stable readable ids: owner__name__path__to__Dockerfile, then __target-T when a target is set, then __2, __3
    for any remaining duplicate (same file and target, other build args) in manifest order."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for e in entries:
        base = "__".join([*e.repo.split("/"), *e.dockerfile.split("/")])
        if e.target:
            base += f"__target-{e.target}"
        base = re.sub(r"[^A-Za-z0-9_.+@=-]", "_", base)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}__{seen[base]}")
    return ids


def git_dir(mirror: Path, repo: str) -> Path:
    return mirror / repo.replace("/", "+") / "repo"


def _git(gd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={gd}", *args], input=stdin, capture_output=True, check=False)


def has_commit(gd: Path, commit: str) -> bool:
    return gd.is_dir() and _git(gd, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def object_type(gd: Path, commit: str, path: str) -> str | None:
    """`blob`, `tree` (or `commit` for a submodule) at PATH in COMMIT, None when absent."""
    spec = f"{commit}^{{tree}}" if path == "." else f"{commit}:{path}"
    res = _git(gd, "cat-file", "-t", spec)
    return res.stdout.decode().strip() if res.returncode == 0 else None


def absent_blobs(gd: Path, commit: str, paths: list[str]) -> list[str]:
    """Files under PATHS whose content the snapshot lacks (snapshots leave out files of 4 MiB and more)."""
    listing = _git(gd, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    if listing.returncode != 0:
        raise RuntimeError(listing.stderr.decode(errors="replace").strip())
    blobs: list[tuple[str, str]] = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        _mode, typ, sha = meta.decode().split()
        if typ == "blob":
            blobs.append((sha, name.decode("utf-8", errors="surrogateescape")))
    if not blobs:
        return []
    check = _git(gd, "cat-file", "--batch-check", stdin="".join(f"{sha}\n" for sha, _ in blobs).encode())
    lines = check.stdout.decode().splitlines()
    return sorted(name for (_sha, name), line in zip(blobs, lines, strict=False) if line.endswith(" missing"))


def extract(gd: Path, commit: str, paths: list[str], exclude: list[str], dest: Path) -> None:
    """git archive COMMIT -- PATHS (minus EXCLUDE) | tar -x -C DEST."""
    pathspecs = [*paths, *(f":(exclude,literal){p}" for p in exclude)]
    archive = subprocess.Popen(
        ["git", "-c", "tar.umask=0022", f"--git-dir={gd}", "archive", "--format=tar", commit, "--", *pathspecs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert archive.stdout is not None
    untar = subprocess.run(
        ["tar", "-x", "-f", "-", "-C", str(dest)], stdin=archive.stdout, capture_output=True, check=False
    )
    archive.stdout.close()
    archive_err = archive.stderr.read() if archive.stderr is not None else b""
    if archive.wait() != 0:
        raise RuntimeError(f"git archive failed: {archive_err.decode(errors='replace').strip()}")
    if untar.returncode != 0:
        raise RuntimeError(f"tar -x failed: {untar.stderr.decode(errors='replace').strip()}")


def lay_out(entry: Entry, eid: str, gd: Path, out: Path) -> dict[str, Any]:
    """Extract one entry into OUT/EID/ and return its index record."""
    if object_type(gd, entry.commit, entry.dockerfile) != "blob":
        raise RuntimeError(f"{entry.dockerfile} is not a file at {entry.commit[:12]}")
    if object_type(gd, entry.commit, entry.context) != "tree":
        raise RuntimeError(f"context {entry.context} is not a folder at {entry.commit[:12]}")
    paths = [entry.context, entry.dockerfile]
    ignore = f"{entry.dockerfile}.dockerignore"
    if object_type(gd, entry.commit, ignore) == "blob":
        paths.append(ignore)
    missing = absent_blobs(gd, entry.commit, paths)
    if entry.dockerfile in missing:
        raise RuntimeError(f"the snapshot lacks the content of {entry.dockerfile}")
    dest = out / eid
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    extract(gd, entry.commit, paths, missing, dest)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        print(f"note: {eid}: {len(missing)} file(s) absent from the snapshot left out: {shown}", file=sys.stderr)
    context = dest if entry.context == "." else dest / entry.context
    return {
        "id": eid,
        "repo": entry.repo,
        "commit": entry.commit,
        "dockerfile": str(dest / entry.dockerfile),
        "context": str(context),
        "target": entry.target,
        "build_args": dict(entry.build_args),
        "kind": entry.kind,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--out", required=True, type=Path, help="folder to lay the corpus out in (outside the repo)")
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="where the snapshots are (owner+name/repo)")
    ap.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    args = ap.parse_args(argv)
    out: Path = args.out.resolve()
    if out == REPO_ROOT or REPO_ROOT in out.parents:
        print(
            f"layout.py: refusing to write into the repository ({REPO_ROOT}): choose --out elsewhere", file=sys.stderr
        )
        return 2
    try:
        entries = load_manifest(args.manifest)
    except ManifestError as exc:
        print(f"layout.py: bad manifest: {exc}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    ids = entry_ids(entries)
    index: list[dict[str, Any]] = []
    missing_repos: set[str] = set()
    failed = 0
    for entry, eid in zip(entries, ids, strict=True):
        gd = git_dir(args.mirror, entry.repo)
        if not has_commit(gd, entry.commit):
            if entry.repo not in missing_repos:
                missing_repos.add(entry.repo)
                print(f"missing: {entry.repo} (fetch it)", file=sys.stderr)
            continue
        try:
            index.append(lay_out(entry, eid, gd, out))
        except RuntimeError as exc:
            failed += 1
            print(f"failed: {eid}: {exc}", file=sys.stderr)
    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    repos = {r["repo"] for r in index}
    print(
        f"laid out {len(index)} of {len(entries)} entries from {len(repos)} repositories into {out}"
        f" ({len(missing_repos)} repositories missing, {failed} entries failed)"
    )
    return 0 if index else 1


if __name__ == "__main__":
    sys.exit(main())
