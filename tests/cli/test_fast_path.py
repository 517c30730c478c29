"""The lint command's fast path: its option reader agrees with typer, it imports neither typer nor rich, `--jobs`
keeps the output order, and colour goes through rich only when it is wanted."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from venvlint import lint_command
from venvlint.cli import _dispatch, read_lint_args
from venvlint.commands import app
from venvlint.lint_command import LintRequest
from venvlint.options import LINT_OPTIONS, Kind

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "Dockerfile")


def typer_request(args: list[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The LintRequest typer builds for the same command line (run_lint replaced by a recorder)."""
    seen: list[Any] = []
    monkeypatch.setattr(lint_command, "run_lint", lambda req: seen.append(req) or 0)
    with contextlib.suppress(typer.Exit):
        app(args=args, prog_name="venvlint", standalone_mode=False)
    assert len(seen) == 1
    return seen[0]


AGREE = [
    ["Dockerfile"],
    ["a", "b", "c"],
    ["-"],
    ["--no-fail", "Dockerfile", "--no-pragmas"],
    ["--context", "ctx", "-c", "other", "Dockerfile"],
    ["--context=ctx", "Dockerfile"],
    ["-cctx", "Dockerfile"],
    ["--build-arg", "A=1", "--build-arg=B=2", "--build-arg-file", "args.env", "Dockerfile"],
    ["--target", "final", "--builder", "buildah", "Dockerfile"],
    ["--runtime-user", "1001:0", "--runtime-user", "arbitrary", "Dockerfile"],
    ["--profiles", "p1.yaml", "--profiles=p2.yaml", "Dockerfile"],
    ["-f", "json", "Dockerfile"],
    ["-fsarif", "-o", "out.sarif", "Dockerfile"],
    ["--format", "sarif", "-o", "out.sarif", "--format", "github", "Dockerfile"],
    ["--failure-threshold", "error", "--ignore", "VL001,VL002", "--ignore", "VL005", "Dockerfile"],
    ["--config", "cfg.yaml", "--color", "never", "Dockerfile"],
    ["--jobs", "3", "Dockerfile", "-j1"],
    ["Dockerfile", "--", "--weird-name", "-"],
    ["--builder", "nonsense", "Dockerfile"],  # the value is checked by run_lint, for both readers
]


@pytest.mark.parametrize("argv", AGREE, ids=[" ".join(a) for a in AGREE])
def test_fast_reader_builds_the_request_typer_builds(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    args = _dispatch(argv)
    fast = read_lint_args(args[1:])
    assert fast is not None, "the fast reader should take this command line"
    assert fast == typer_request(args, monkeypatch)


DECLINE = [
    ["--help"],
    ["-h", "Dockerfile"],
    ["--bogus", "Dockerfile"],
    ["--no-fail=yes", "Dockerfile"],
    ["--jobs", "many", "Dockerfile"],
    ["--target"],
    ["--target", "--no-fail", "Dockerfile"],
    ["--no-fail"],
    ["-x", "Dockerfile"],
]


@pytest.mark.parametrize("argv", DECLINE, ids=[" ".join(a) for a in DECLINE])
def test_fast_reader_leaves_help_and_mistakes_to_typer(argv: list[str]) -> None:
    assert read_lint_args(argv) is None


def test_the_typer_command_is_built_from_the_one_table() -> None:
    command = typer.main.get_command(app).commands["lint"]  # type: ignore[attr-defined]
    declared = {}
    for param in command.params:
        if param.param_type_name != "option" or "--help" in param.opts:
            continue
        declared[param.name] = (sorted(param.opts), param.is_flag, param.metavar, param.hidden)
    table = {
        o.field: (sorted([o.long, *([o.short] if o.short else [])]), o.kind is Kind.FLAG, o.metavar or None, o.hidden)
        for o in LINT_OPTIONS
    }
    assert declared == table
    # Every option fills a field of the request, and every field but the files has an option.
    fields = set(LintRequest.__dataclass_fields__) - {"dockerfiles"}
    assert {o.field for o in LINT_OPTIONS} == fields


def run(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, env=full, cwd=ROOT, **kw
    )


def imported_modules(*args: str, **kw: Any) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    r = run("-X", "importtime", *args, **kw)
    return {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time")}, r


def test_lint_path_imports_nothing_it_does_not_use(tmp_path: Path) -> None:
    baseline, _ = imported_modules("-c", "pass")  # what this interpreter's site imports anyway
    # A copy outside the repository: the repository's own .venvlint.yaml (read with yaml) must not be found.
    example = tmp_path / "examples" / "Dockerfile"
    shutil.copytree(Path(EXAMPLE).parent, example.parent)  # with its build context
    env = {"XDG_CONFIG_HOME": str(tmp_path / "no-user-config")}
    imported, r = imported_modules("-m", "venvlint", "--no-fail", "-j1", str(example), env=env)
    assert r.returncode == 0 and "VL001" in r.stdout, r.stderr
    assert "venvlint.simulate.engine" in imported  # the measurement works
    heavy = {"typer", "rich", "yaml", "click", "tarfile", "logging", "dockerfile_parse", "importlib.resources",
             "tree_sitter_bash", "multiprocessing", "concurrent.futures", "xml.sax.saxutils", "hashlib",
             "pathspec", "httpx", "platformdirs", "ssl", "zipfile", "difflib", "shlex", "argparse"}  # fmt: skip
    assert not (imported - baseline) & heavy, sorted((imported - baseline) & heavy)
    # venvlint's own modules a lint of this file does not need: the other commands, --fix, explain, the registry,
    # the tools its RUN lines do not run, the report formats not asked for (and the language server, `venvlint lsp`).
    unneeded = {"venvlint.commands", "venvlint.explain", "venvlint.fix", "venvlint.exclude", "venvlint.lsp",
                "venvlint.profiles.compile", "venvlint.profiles.from_image", "venvlint.registry.auth",
                "venvlint.registry.cache", "venvlint.registry.client", "venvlint.registry.errors",
                "venvlint.registry.lookup", "venvlint.report.explain_text", "venvlint.report.ruledoc",
                "venvlint.report.showconfig",
                "venvlint.tools.builds", "venvlint.tools.compile", "venvlint.tools.conda", "venvlint.tools.envs",
                "venvlint.tools.projects"}  # fmt: skip
    assert not imported & unneeded, sorted(imported & unneeded)


def test_a_dockerfile_without_run_loads_no_shell_parser(tmp_path: Path) -> None:
    """tree-sitter (and its bash grammar) is loaded when a RUN line is parsed, not for every Dockerfile."""
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nUSER 1000\n")
    imported, r = imported_modules("-m", "venvlint", "--no-fail", str(tmp_path / "Dockerfile"))
    assert r.returncode == 0, r.stderr
    assert "venvlint.simulate.engine" in imported  # the measurement works
    assert not {m for m in imported if m.startswith("tree_sitter")}


def test_help_and_usage_errors_still_come_from_typer() -> None:
    r = run("-m", "venvlint", "lint", "--help")
    assert r.returncode == 0 and "--jobs" in r.stdout and "--failure-threshold" in r.stdout
    r = run("-m", "venvlint", "--bogus", EXAMPLE)
    assert r.returncode == 2 and "No such option" in r.stderr and "Traceback" not in r.stderr
    r = run("-m", "venvlint", "--jobs", "0", EXAMPLE)
    assert r.returncode == 2 and "--jobs must be at least 1" in r.stderr


def test_jobs_keep_the_output_order(tmp_path: Path) -> None:
    example = Path(EXAMPLE).read_text()
    (tmp_path / "overlay" / "opt" / "app-root").mkdir(parents=True)
    files = []
    for i in range(40):  # enough for several workers (FILES_PER_WORKER each)
        f = tmp_path / f"Dockerfile.{i:02d}"
        # Every third file is clean, so findings and file names interleave: a reordering would show.
        f.write_text(example if i % 3 else "FROM scratch\n")
        files.append(str(f))
    files.reverse()
    outputs = {}
    for jobs in ("1", "2", "4"):
        r = run("-m", "venvlint", "--no-fail", "-f", "json", "--jobs", jobs, *files)
        assert r.returncode == 0, r.stderr
        outputs[jobs] = r.stdout
    assert outputs["1"] == outputs["2"] == outputs["4"]
    assert outputs["1"].index("Dockerfile.10") < outputs["1"].index("Dockerfile.01")


def test_colour_only_when_wanted() -> None:
    piped = run("-m", "venvlint", "--no-fail", EXAMPLE)
    assert "\x1b[" not in piped.stdout and "VL001" in piped.stdout
    forced = run("-m", "venvlint", "--no-fail", "--color", "always", EXAMPLE)
    assert "\x1b[" in forced.stdout
    assert " ".join(forced.stdout.split()).count("VL001") >= 1
    env_forced = run("-m", "venvlint", "--no-fail", EXAMPLE, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in env_forced.stdout
    never = run("-m", "venvlint", "--no-fail", "--color", "never", EXAMPLE, env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in never.stdout


def test_one_module_is_loaded_without_its_package() -> None:
    code = (
        "import sys; from venvlint.fastimport import load_module; "
        "ws = load_module('dockerfile_parse', 'util').WordSplitter; "
        "lang = load_module('tree_sitter_bash', '_binding').language(); "
        "import tree_sitter; tree = tree_sitter.Parser(tree_sitter.Language(lang)).parse(b'echo hi'); "
        "print(list(ws('a \\'b c\\' d').split(dequote=False)), tree.root_node.type, "
        "sorted(m for m in sys.modules if m.startswith(('dockerfile_parse', 'tree_sitter_bash'))))"
    )
    r = run("-c", code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['a', \"'b c'\", 'd'] program []"


def test_console_exit_flushes_everything_and_survives_a_closed_pipe(tmp_path: Path) -> None:
    files = [EXAMPLE] * 30
    one = json.loads(run("-m", "venvlint", "--no-fail", "-f", "json", EXAMPLE).stdout)["findings"]
    r = run("-m", "venvlint", "--no-fail", "-f", "json", *files)
    assert r.returncode == 0 and len(json.loads(r.stdout)["findings"]) == 30 * len(one) > 0  # all of it, flushed
    # `venvlint ... | head -c 20`: the reader goes away; no traceback, no "Exception ignored" noise.
    proc = subprocess.Popen(
        [sys.executable, "-m", "venvlint", *files], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(20)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) in (1, 2)
    assert "Traceback" not in err and "Exception ignored" not in err, err


@pytest.mark.parametrize(
    "args",
    [["Dock\0erfile"], ["--config", "c\0", EXAMPLE], ["-f", "json", "-o", "o\0", EXAMPLE], ["--profiles", "p\0", EXAMPLE],
     ["--build-arg-file", "b\0", EXAMPLE], ["profile", "i\0"]],
    ids=["dockerfile", "config", "output", "profiles", "build-arg-file", "image"],
)  # fmt: skip
def test_a_nul_byte_in_a_file_name_is_an_input_error(args: list[str], tmp_path: Path) -> None:
    # (An argv cannot carry NUL through exec; config files and the Python API can.)
    from venvlint.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), pytest.raises(SystemExit) as ex:
        main(["--jobs", "1", *args] if args[0] != "profile" else args)
    assert ex.value.code == 2 and "contains a NUL byte" in err.getvalue(), err.getvalue()


NEW_OPTIONS = [
    ["--error", "VL009", "--warning=VL015", "--info", "VL001", "Dockerfile"],
    ["-q", "--show-config", "--stdin-filename", "x/Dockerfile", "-"],
    ["--quiet", "-f", "compact", "Dockerfile"],
    ["--format=checkstyle", "-o", "cs.xml", "Dockerfile"],
]


@pytest.mark.parametrize("argv", NEW_OPTIONS, ids=[" ".join(a) for a in NEW_OPTIONS])
def test_new_options_are_read_alike(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    args = _dispatch(argv)
    fast = read_lint_args(args[1:])
    assert fast is not None and fast == typer_request(args, monkeypatch)


def test_help_names_values_not_python_types() -> None:
    """The help shows the table's placeholders, never typer's type labels (typer 0.28 prints `<list[str]>`)."""
    r = run("-m", "venvlint", "lint", "--help", env={"COLUMNS": "200", "TERM": "dumb", "NO_COLOR": "1"})
    assert r.returncode == 0, r.stderr
    for o in LINT_OPTIONS:
        if not o.hidden:
            assert o.long in r.stdout
            if o.metavar:
                assert o.metavar in r.stdout
    for label in ("<list[str]>", "<bool>", "<str>", "{dockerfiles}", "<int>"):
        assert label not in r.stdout


def test_bare_venvlint_is_a_usage_error() -> None:
    r = run("-m", "venvlint")
    assert r.returncode == 2
    assert r.stderr.startswith("venvlint: error: no Dockerfile given (usage: venvlint [OPTIONS] DOCKERFILE|DIR|- ...")
    assert r.stderr.count("\n") == 1 and r.stdout == ""


def test_readme_usage_block_is_generated_from_the_table() -> None:
    from venvlint.options import replace_block

    readme = (ROOT / "README.md").read_text()
    assert replace_block(readme) == readme, "run `python -m venvlint.options --write README.md`"
