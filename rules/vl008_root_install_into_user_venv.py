"""## What it does
Finds a `RUN` that installs packages as root into a virtual environment prepared for another user (owned by, or
group-writable for, the user the image runs as), with no later step giving the new files back.

## Why is this bad?
Files an install creates belong to the user who ran it, with umask 022: root-owned `0644` files and `0755`
directories inside the user's venv. The venv still imports fine, but the user can no longer upgrade or uninstall
those packages: `Could not install packages due to an EnvironmentError: [Errno 13] Permission denied:
'/opt/conda/.../pandas-0.23.2.dist-info/INSTALLER'`. An earlier `fix-permissions` does not help: it only fixes
what existed when it ran.

## Example
```dockerfile
FROM registry.access.redhat.com/ubi9/python-311
USER 0
RUN pip install pandas
USER 1001
```

## Use instead
Install as the venv's user, with a group-friendly umask for images that run under arbitrary uids:
```dockerfile
USER 1001
RUN umask 002 && pip install pandas
```
or run `fix-permissions /opt/app-root -P` once, after the last root install.
"""

from __future__ import annotations

from collections.abc import Iterator

from venvlint.analysis import Analysis
from venvlint.findings import Problem, Severity
from venvlint.model.access import Tri, path_premise, permits
from venvlint.model.fs import Action
from venvlint.tools.model import Role

from ._common import run_premises, state_text

CODE = "VL008"
NAME = "root-install-into-user-venv"
SEVERITY = Severity.WARNING
SUMMARY = "Packages installed as root into a venv prepared for another user stay root-owned"
SCENARIOS = ("S19",)
REFERENCES = (
    "https://github.com/kubeflow/kubeflow/issues/1722",
    "https://github.com/jupyter/docker-stacks/blob/main/images/docker-stacks-foundation/fix-permissions",
)
AUTOFIX = False

FIXES = frozenset({Action.CHOWN, Action.CHMOD, Action.FIX_PERMISSIONS})


def check(a: Analysis) -> Iterator[Problem]:
    users = [ri for ri in a.runtime_identities if not ri.identity.is_root or ri.identity.arbitrary]
    if not users:
        return
    seen: set[tuple[int, str]] = set()
    for intent in a.build_intents:
        run = intent.run
        venv = intent.venv
        if not run.identity.is_root or run.identity.arbitrary or venv is None or run.stage != a.final.name:
            continue
        if not intent.invocation.installs:
            continue
        root = a.fs.get(venv)
        if root is None:
            continue
        meant_for = [ri for ri in users if permits(root, ri.identity, "wx") is Tri.YES]
        if not meant_for:
            continue
        site = [n.path for n in intent.needs if n.role is Role.SITE_PACKAGES]
        if any(_fixed_after(a, p, run.line) for p in site or [venv]):
            continue
        if (run.line, venv) in seen:
            continue
        seen.add((run.line, venv))
        who = meant_for[0]
        yield Problem(
            run.line,
            venv,
            f"`{' '.join(run.argv[:4])}` runs as root and installs into `{venv}`, which is prepared for "
            f"{who.identity.label()} ({who.source}; it is {state_text(root.uid, root.gid, root.mode)}): the new "
            "files are root-owned 0644, so that user cannot upgrade or uninstall these packages later.",
            f"install as the venv's user (`USER {root.uid}` before this RUN, with `umask 002` for group 0), or run "
            f"`fix-permissions {venv} -P` once after the last root install",
            stage=run.stage,
            premises=(path_premise(a.fs, venv, root), *run_premises(run)),
        )


def _fixed_after(a: Analysis, path: str, line: int) -> bool:
    node = a.fs.get(path)
    if node is None:
        return False
    return any(ch.cause.line >= line and ch.action in FIXES for ch in node.history)
