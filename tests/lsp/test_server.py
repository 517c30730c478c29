"""`venvlint lsp` driven by a real LSP client (pytest-lsp) over stdio: the server runs as `python -m venvlint lsp`
(or the test-only crashing wrapper), and every check goes through JSON-RPC messages, never through handlers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lsprotocol import types

from .client import CRASHING_SERVER, apply_edits, change_doc, codes, findings, open_doc, session, wait_for

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples"
ERROR, WARNING = types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Warning
CLEAN = "FROM registry.access.redhat.com/ubi9/python-311\nUSER 1001\nRUN echo hi\n"


def example(tmp_path: Path) -> Path:
    """A copy of examples/ (the Dockerfile and its build context) outside the repository and its config."""
    folder = tmp_path / "ws"
    shutil.copytree(EXAMPLE, folder)
    (folder / ".git").mkdir()  # the config search stops here, as in a repository
    return folder


def cli_findings(dockerfile: Path, *args: str) -> list[tuple[str, int, str]]:
    r = subprocess.run(
        [sys.executable, "-m", "venvlint", "--no-fail", "-f", "json", *args, str(dockerfile)],
        capture_output=True, text=True, timeout=60, cwd=dockerfile.parent,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return [(f["code"], f["line"], f["severity"]) for f in json.loads(r.stdout)["findings"]]


LEVEL = {ERROR: "error", WARNING: "warning", types.DiagnosticSeverity.Information: "info"}


def as_cli(p: types.PublishDiagnosticsParams) -> list[tuple[str, int, str]]:
    return [(str(c), line, LEVEL[s]) for c, line, s in codes(p)]


async def test_initialize_advertises_what_it_does(tmp_path: Path) -> None:
    async with session([tmp_path]) as client:
        assert client.initialized_with is not None
        assert (
            client.initialized_with.server_info is not None and client.initialized_with.server_info.name == "venvlint"
        )
        caps = client.initialized_with.capabilities
        assert caps.hover_provider and caps.code_action_provider
        sync = caps.text_document_sync
        assert (
            isinstance(sync, types.TextDocumentSyncOptions) and sync.open_close and sync.save
        )  # (editors save only then)
        for _ in range(500):  # the registration request follows `initialized`
            if client.registrations:
                break
            await asyncio.sleep(0.01)
        globs = [w["globPattern"] for r in client.registrations for w in r.register_options["watchers"]]
        assert "**/.venvlint.yaml" in globs


async def test_open_gives_the_command_lines_findings_and_a_fix_clears_them(tmp_path: Path) -> None:
    folder = example(tmp_path)
    dockerfile = folder / "Dockerfile"
    text = dockerfile.read_text()
    expected = cli_findings(dockerfile)
    assert expected and any(s == "error" for _, _, s in expected)
    async with session([folder]) as client:
        uri = open_doc(client, dockerfile, text)
        published = await wait_for(client, uri)
        assert as_cli(published) == expected
        first = published.diagnostics[0]
        assert first.source == "venvlint" and first.code_description is not None
        assert first.code_description.href.endswith("VL001-dir-reset-by-copy.md")
        assert "`/opt/app-root` became 0:0 0755 at line 8" in first.message and "\nfix: " in first.message
        # The user applies the fixes (here: what `venvlint --fix` writes): the diagnostics are cleared.
        fixed = tmp_path / "fixed"
        shutil.copytree(folder, fixed)
        subprocess.run([sys.executable, "-m", "venvlint", "--fix", "--no-fail", str(fixed / "Dockerfile")], timeout=60,
                       check=True, capture_output=True)  # fmt: skip
        change_doc(client, uri, 2, (fixed / "Dockerfile").read_text())
        cleared = await wait_for(client, uri, lambda p: p.version == 2)
        assert cleared.diagnostics == ()


async def test_quick_changes_are_debounced_and_the_last_text_wins(tmp_path: Path) -> None:
    folder = example(tmp_path)
    dockerfile = folder / "Dockerfile"
    text = dockerfile.read_text()
    async with session([folder]) as client:
        uri = open_doc(client, dockerfile, CLEAN)
        await wait_for(client, uri)
        before = len(client.published)
        for version in range(2, 8):  # six changes within ~60 ms: one lint, of the last text
            change_doc(client, uri, version, text if version == 7 else CLEAN + f"# edit {version}\n")
            await asyncio.sleep(0.01)
        last = await wait_for(client, uri, after=before)
        await asyncio.sleep(0.6)  # nothing else comes: no stale lint of an earlier text is published
        assert [p.version for p in client.published[before:] if p.uri == uri] == [7]
        assert as_cli(last) == cli_findings(dockerfile)


async def test_save_lints_and_the_config_of_each_workspace_folder_applies(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        shutil.copytree(EXAMPLE, folder)
        (folder / ".git").mkdir()
    (two / ".venvlint.yaml").write_text("ignore: [VL001]\n")
    async with session([one, two]) as client:
        uri1 = open_doc(client, one / "Dockerfile", (one / "Dockerfile").read_text())
        uri2 = open_doc(client, two / "Dockerfile", (two / "Dockerfile").read_text())
        p1, p2 = await wait_for(client, uri1), await wait_for(client, uri2)
        assert "VL001" in [d.code for d in p1.diagnostics]
        assert "VL001" not in [d.code for d in p2.diagnostics] and p2.diagnostics
        assert as_cli(p2) == cli_findings(two / "Dockerfile")
        # The config changes on disk (the editor's watcher says so): the open documents are linted again.
        before = len(client.published)
        (one / ".venvlint.yaml").write_text("severity: {VL001: info}\n")
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                [types.FileEvent((one / ".venvlint.yaml").as_uri(), types.FileChangeType.Created)]
            )
        )
        again = await wait_for(client, uri1, after=before)
        assert ("VL001", 8, types.DiagnosticSeverity.Information) in codes(again)
        # Saving the Dockerfile lints it (here: the config changed again and is read then).
        (one / ".venvlint.yaml").write_text("ignore: [VL001, VL019]\n")
        before = len(client.published)
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri1)))
        saved = await wait_for(client, uri1, after=before)
        assert as_cli(saved) == cli_findings(one / "Dockerfile")
        assert {d.code for d in saved.diagnostics} & {"VL001", "VL019"} == set() and saved.diagnostics


async def test_a_bad_config_is_its_one_line_not_a_crash(tmp_path: Path) -> None:
    folder = example(tmp_path)
    (folder / ".venvlint.yaml").write_text("ignore: [VL001]\nbogus: 1\n")
    async with session([folder], watch=False) as client:
        uri = open_doc(client, folder / "Dockerfile", (folder / "Dockerfile").read_text())
        published = await wait_for(client, uri)
        (d,) = published.diagnostics
        assert d.severity == ERROR
        cli = subprocess.run([sys.executable, "-m", "venvlint", str(folder / "Dockerfile")], capture_output=True,
                             text=True, timeout=60)  # fmt: skip
        assert cli.returncode == 2 and cli.stderr.splitlines() == [d.message]  # the command line's one line
        assert ".venvlint.yaml:2: bogus: unknown key" in d.message
        await asyncio.sleep(0.1)
        assert [m.message for m in client.messages] == [d.message]
        # Fixed, and opened in the editor and saved there: picked up without a watcher.
        config = folder / ".venvlint.yaml"
        config.write_text("ignore: [VL001]\n")
        before = len(client.published)
        open_doc(client, config, config.read_text(), language_id="yaml")
        fixed = await wait_for(client, uri, after=before)
        assert fixed.diagnostics and all(x.code != "VL001" and x.code for x in fixed.diagnostics)


async def test_hover_on_a_path_explains_it_at_that_line(tmp_path: Path) -> None:
    folder = example(tmp_path)
    text = (folder / "Dockerfile").read_text()
    lines = text.splitlines()
    async with session([folder]) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        # No path under the cursor on the COPY keyword: its destination, `/`, after line 8.
        copy_line = lines.index("COPY overlay/ /")
        hover = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(copy_line, 1))
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert hover.contents.kind == types.MarkupKind.Markdown
        assert hover.contents.value.startswith("**`/`** → `0:0 0555 dir`\n\nafter line 8: stage `0`, USER `0`")
        # A path that the build changed: its owner and mode after line 8, and the history with its cause lines.
        edit = "RUN ls /opt/app-root"
        text2 = text.replace("USER 1001\n", f"{edit}\nUSER 1001\n")
        change_doc(client, uri, 2, text2)
        at = text2.splitlines().index(edit)
        hover = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(at, len("RUN ls /opt/ap")))
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        value = hover.contents.value
        assert value.startswith("**`/opt/app-root`** → `0:0 0755 dir`"), value
        assert "| 8 | `COPY overlay/ /` | 0:0 0755 dir |" in value, value
        assert "| 3 | " in value  # where it came from: the base image's 1001:0 0775
        assert "1001:0 0775 dir" in value


async def test_quick_fix_is_the_fix_the_command_line_applies(tmp_path: Path) -> None:
    cases = yaml.safe_load((ROOT / "tests/rules/cases/VL001.yaml").read_text())["cases"]
    case = next(c for c in cases if c["name"] == "reset with no tool writing is a regression warning")
    folder = tmp_path / "case"
    for name, content in case["context"].items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    (folder / ".git").mkdir()
    dockerfile = folder / "Dockerfile"
    dockerfile.write_text(case["dockerfile"])
    fixed_copy = tmp_path / "fixed" / "Dockerfile"
    shutil.copytree(folder, fixed_copy.parent)
    r = subprocess.run([sys.executable, "-m", "venvlint", "--fix", "--no-fail", str(fixed_copy)], capture_output=True,
                       text=True, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    by_cli = fixed_copy.read_text()
    assert by_cli != case["dockerfile"]
    async with session([folder]) as client:
        uri = open_doc(client, dockerfile, case["dockerfile"])
        published = await wait_for(client, uri)
        (diagnostic,) = published.diagnostics
        assert diagnostic.code == "VL001" and diagnostic.data["fix"] == "safe"
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                types.TextDocumentIdentifier(uri), diagnostic.range, types.CodeActionContext([diagnostic])
            )
        )
        assert actions is not None
        fix, ignore = actions
        assert isinstance(fix, types.CodeAction) and isinstance(ignore, types.CodeAction)
        assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix and "unsafe" not in fix.title
        assert fix.edit is not None and fix.edit.changes is not None
        fixed = apply_edits(case["dockerfile"], fix.edit.changes[uri])
        assert fixed == by_cli
        change_doc(client, uri, 2, fixed)
        assert (await wait_for(client, uri, lambda p: p.version == 2)).diagnostics == ()
        # The other action: the pragma above the instruction silences the finding.
        assert ignore.title.startswith("Ignore VL001 here") and ignore.edit is not None and ignore.edit.changes
        silenced = apply_edits(case["dockerfile"], ignore.edit.changes[uri])
        assert "# venvlint ignore=VL001\nCOPY overlay/ /\n" in silenced
        change_doc(client, uri, 3, silenced)
        assert (await wait_for(client, uri, lambda p: p.version == 3)).diagnostics == ()


async def test_the_pragma_goes_above_the_first_line_of_a_multi_line_instruction(tmp_path: Path) -> None:
    folder = example(tmp_path)
    text = (folder / "Dockerfile").read_text()
    async with session([folder]) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        published = await wait_for(client, uri)
        vl019 = next(d for d in published.diagnostics if d.code == "VL019")  # at a RUN of two lines
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(uri), vl019.range, types.CodeActionContext([vl019]))
        )
        assert actions is not None
        titles = [a.title for a in actions if isinstance(a, types.CodeAction)]
        assert titles == [
            "Fix VL019 (proven by replaying the edited build)",
            "Ignore VL019 here (`# venvlint ignore=VL019` above the instruction)",
        ]
        ignore = actions[1]
        assert isinstance(ignore, types.CodeAction) and ignore.edit is not None and ignore.edit.changes
        (edit,) = ignore.edit.changes[uri]
        silenced = apply_edits(text, [edit])
        assert "# venvlint ignore=VL019\nRUN pip install --no-cache-dir uv==0.6.6 && \\\n" in silenced
        # Applied as an editor applies it, and sent whole (the server asks for full text sync).
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(2, uri), [types.TextDocumentContentChangeWholeDocument(silenced)]
            )
        )
        after = await wait_for(client, uri, lambda p: p.version == 2)
        assert [d.code for d in findings(after)] == ["VL001"]


async def test_unsafe_fixes_are_offered_only_when_asked_and_titled_so(tmp_path: Path) -> None:
    # VL015's fix sets HOME (more than owners and modes): unsafe, as `venvlint --fix` without --unsafe-fixes says.
    text = 'FROM python:3.12-slim\nUSER 1001\nCMD ["python", "app.py"]\n'
    folder = tmp_path / "ws"
    (folder / ".git").mkdir(parents=True)
    offered = {}
    for flags in ([], ["--unsafe-fixes"]):
        command = [sys.executable, "-m", "venvlint", "lsp", *flags]
        async with session([folder], command=command) as client:
            uri = open_doc(client, folder / "Dockerfile", text)
            (d,) = (await wait_for(client, uri)).diagnostics
            assert d.code == "VL015" and d.data["fix"] == "unsafe"
            actions = await client.text_document_code_action_async(
                types.CodeActionParams(types.TextDocumentIdentifier(uri), d.range, types.CodeActionContext([d]))
            )
            assert actions is not None
            offered[bool(flags)] = {a.title: a for a in actions if isinstance(a, types.CodeAction)}
    assert [t.split(" (")[0] for t in offered[False]] == ["Ignore VL015 here"]
    fix = offered[True][
        "Fix VL015 (proven by replaying the edited build) (unsafe: it changes more than owners and modes)"
    ]
    assert not fix.is_preferred and fix.edit is not None and fix.edit.changes is not None
    (edits,) = fix.edit.changes.values()
    assert apply_edits(text, edits) == 'FROM python:3.12-slim\nENV HOME=/tmp\nUSER 1001\nCMD ["python", "app.py"]\n'


async def test_a_crash_on_one_document_leaves_the_others_linted(tmp_path: Path) -> None:
    folder = example(tmp_path)
    text = (folder / "Dockerfile").read_text()
    async with session([folder], command=CRASHING_SERVER, env={"VENVLINT_DEBUG": "1"}) as client:
        crash = open_doc(client, folder / "Crash.Dockerfile", text)
        (d,) = (await wait_for(client, crash)).diagnostics
        assert d.message.startswith("venvlint failed on this file: RuntimeError: boom")
        # A code action needs a lint of the buffer: it fails too, is logged, and answers no action.
        asked = types.Diagnostic(
            d.range,
            "VL001",
            code="VL001",
            source="venvlint",
            data={"code": "VL001", "line": 8, "path": "/opt/app-root"},
        )
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(crash), d.range, types.CodeActionContext([asked]))
        )
        assert actions is not None and len(actions) == 0
        await asyncio.sleep(0.1)
        assert [m.message.split(" failed:")[0] for m in client.log_messages if "boom" in m.message] == [
            f"venvlint: linting {crash}",
            f"venvlint: code actions for {crash}",
        ]
        # VENVLINT_DEBUG: the traceback goes to the log too (the command line prints it then).
        assert all("Traceback (most recent call last)" in m.message for m in client.log_messages if "boom" in m.message)
        good = open_doc(client, folder / "Dockerfile", text)
        assert as_cli(await wait_for(client, good)) == cli_findings(folder / "Dockerfile")
        change_doc(client, crash, 2, text + "\n")
        assert (
            (await wait_for(client, crash, lambda p: p.version == 2))
            .diagnostics[0]
            .message.startswith("venvlint failed on this file")
        )


async def test_hover_reads_env_values_relative_workdirs_and_falls_back_to_the_lines_findings(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    (folder / ".git").mkdir(parents=True)
    text = (
        "FROM python:3.12-slim\n"
        "ENV VENV=/opt/venv PATH=/opt/venv/bin:$PATH\n"
        "RUN python -m venv /opt/venv && useradd -m app\n"
        "WORKDIR /app\n"
        "WORKDIR src\n"
        "USER app\n"
        "RUN pip install requests\n"
    )

    async def hover(line: int, column: int) -> str:
        answer = await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, column))
        )
        assert answer is not None and isinstance(answer.contents, types.MarkupContent)
        return answer.contents.value

    async with session([folder]) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        # An ENV value that is a path, before the RUN that creates it: absent after line 2.
        assert (await hover(1, len("ENV VENV=/op"))).startswith("**`/opt/venv`** → `absent`\n\nafter line 2:")
        # The same path on the RUN line: made by that RUN (its cause line in the history).
        run = await hover(2, len("RUN python -m venv /opt/v"))
        assert run.startswith("**`/opt/venv`** → `0:0 0755 dir`") and "| 3 | `RUN python -m venv" in run
        # A relative WORKDIR, on its keyword: the directory it makes, against the WORKDIR before it.
        assert (await hover(4, 2)).startswith("**`/app/src`** → `0:0 0755 dir`\n\nafter line 5:")
        # A word that is no path on a line with a finding: that finding, as the diagnostic says it.
        findings = await hover(6, len("RUN pip ins"))
        assert findings.startswith("**VL002** build-install-not-writable (error)")


async def test_a_slow_lint_never_publishes_over_a_newer_text(tmp_path: Path) -> None:
    folder = example(tmp_path)
    text = (folder / "Dockerfile").read_text()
    async with session([folder], command=CRASHING_SERVER) as client:
        # Version 1 lints at once and takes 1.5 s; version 2 comes 0.1 s later and is linted after it.
        uri = open_doc(client, folder / "Dockerfile", text + "# slow lint (test)\n")
        await asyncio.sleep(0.1)
        change_doc(client, uri, 2, CLEAN)
        latest = await wait_for(client, uri)
        await asyncio.sleep(0.5)
        assert latest.version == 2 and latest.diagnostics == ()
        assert [p.version for p in client.published if p.uri == uri] == [2]


async def test_an_untitled_buffer_is_linted_as_standard_input(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    (folder / ".git").mkdir(parents=True)
    text = 'FROM python:3.12-slim\nUSER 1001\nCMD ["python", "app.py"]\n'
    async with session([folder]) as client:
        uri = "untitled:Untitled-1"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "dockerfile", 1, text))
        )
        published = await wait_for(client, uri)
        # From the server's working directory: where the config of `-` is looked for.
        r = subprocess.run([sys.executable, "-m", "venvlint", "--no-fail", "--no-context", "-f", "json", "-"],
                           input=text, capture_output=True, text=True, timeout=60)  # fmt: skip
        expected = [(f["code"], f["line"], f["severity"]) for f in json.loads(r.stdout)["findings"]]
        assert expected and as_cli(published) == expected


async def test_hover_on_a_copy_from_source_explains_it_in_that_stage(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    (folder / ".git").mkdir(parents=True)
    text = (
        "FROM python:3.12-slim AS build\n"
        "RUN mkdir -p /out && chmod 700 /out\n"
        "FROM python:3.12-slim\n"
        "COPY --from=build out /out\n"
    )
    async with session([folder]) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        source, destination = [
            await client.text_document_hover_async(
                types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, column))
            )
            for column in (len("COPY --from=build o"), len("COPY --from=build out /o"))
        ]
        assert source is not None and isinstance(source.contents, types.MarkupContent)
        value = source.contents.value
        assert value.startswith("**`/out`** → `0:0 0700 dir`\n\nin stage `build` as line 4 copies from it"), value
        assert "| 2 | `RUN mkdir -p /out && chmod 700 /out` | 0:0 0700 dir | chmod 700 |" in value
        assert destination is not None and isinstance(destination.contents, types.MarkupContent)
        # The destination, after the COPY, in the final stage: what the engine replays for it (the source's
        # contents are copied into a directory the COPY makes).
        assert destination.contents.value.startswith("**`/out`** → `0:0 0755 dir`\n\nafter line 4: stage `1`")
        assert "| 4 | `COPY --from=build out /out` | 0:0 0755 dir | created by COPY |" in destination.contents.value


async def test_what_venvlint_assumed_is_a_hint_where_it_applies(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    (folder / ".git").mkdir(parents=True)
    text = "FROM example.invalid/team/base:1\nRUN pip install flask\n"
    async with session([folder]) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        published = await wait_for(client, uri)
    hints = [d for d in published.diagnostics if d.severity == types.DiagnosticSeverity.Hint]
    # The text report's assumption about the unknown base, at its FROM line, with why it was not read (offline).
    base = [d for d in hints if d.range.start.line == 0]
    assert base and "is not known to venvlint" in base[0].message and "offline" in base[0].message, hints
    assert all(d.source == "venvlint" and d.code is None for d in hints)


async def test_lines_are_counted_as_buildkit_and_the_editor_count_them(tmp_path: Path) -> None:
    """A form feed and a line separator (U+2028) in comments end no line for BuildKit or the LSP: the finding is on
    the line the command line names, and that is the RUN's line in the editor too."""
    folder = example(tmp_path)
    original = (folder / "Dockerfile").read_text()
    text = "# a form feed \x0c and a line separator \u2028 in a comment\n" + original
    (folder / "Dockerfile").write_text(text, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "venvlint", "-f", "json", "Dockerfile"], cwd=folder,
                       env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "none")}, capture_output=True,
                       text=True, timeout=60)  # fmt: skip
    cli = [(f["code"], f["line"]) for f in json.loads(r.stdout)["findings"]]
    assert ("VL019", 14) in cli  # the RUN of line 13 in examples/Dockerfile, one comment line above it
    async with session([folder], env={"XDG_CONFIG_HOME": str(tmp_path / "none")}) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        published = await wait_for(client, uri)
    assert [(d.code, d.range.start.line + 1) for d in findings(published)] == cli
    vl019 = next(d for d in findings(published) if d.code == "VL019")
    assert text.split("\n")[vl019.range.start.line].startswith("RUN pip install")


async def test_versioned_edits_for_clients_that_take_them(tmp_path: Path) -> None:
    folder = example(tmp_path)
    text = (folder / "Dockerfile").read_text()
    async with session([folder], document_changes=True) as client:
        uri = open_doc(client, folder / "Dockerfile", text)
        published = await wait_for(client, uri)
        vl019 = next(d for d in published.diagnostics if d.code == "VL019")
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(uri), vl019.range, types.CodeActionContext([vl019]))
        )
    assert actions
    for action in actions:
        assert isinstance(action, types.CodeAction) and action.edit is not None and action.edit.changes is None
        (change,) = action.edit.document_changes or []
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == uri and change.text_document.version == 1


async def test_a_save_asks_again_for_a_base_image_that_could_not_be_read(tmp_path: Path) -> None:
    """One lint is one command-line run: a registry that failed is asked again on save (not only after a restart)."""
    from ..registry.misbehaving import MisbehavingRegistry

    folder = tmp_path / "ws"
    (folder / ".git").mkdir(parents=True)
    env = {"VENVLINT_OFFLINE": "0", "VENVLINT_CACHE_DIR": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path)}
    with MisbehavingRegistry("500") as reg:
        text = f'FROM {reg.host}/public/app-root:1\nRUN ["/bin/busybox", "mkdir", "/opt/data"]\n'
        (folder / "Dockerfile").write_text(text)
        async with session([folder], env=env) as client:
            uri = open_doc(client, folder / "Dockerfile", text)
            first = await wait_for(client, uri)
            assert findings(first) == [] and any("answered 500" in d.message for d in first.diagnostics)
            reg.mode = "ok"  # the registry recovers
            change_doc(client, uri, 2, text + "\n")
            typed = await wait_for(client, uri, lambda p: p.version == 2)
            assert findings(typed) == []  # typing is the same run: the failure is remembered, not asked again
            client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
            saved = await wait_for(
                client, uri, lambda p: p.version == 2 and bool(findings(p)), after=len(client.published)
            )
    # Read now: the image's USER 1001 cannot create /opt/data in its root-owned /opt.
    assert [d.code for d in findings(saved)] and all(
        d.severity == types.DiagnosticSeverity.Error for d in findings(saved)
    )
