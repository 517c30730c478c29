"""The language server: LSP over stdio with pygls, diagnostics on open/change/save, hover, code actions.

Threads and staleness: every lint, hover and code action runs in one worker thread (the engine's caches and its
`gc` switch are not made for concurrent lints), so the event loop keeps reading messages. Each document has a
generation, bumped by every open, change, save and config change; a lint publishes only if its generation is still
the document's latest when it ends, so a slow lint never publishes over a newer text. Changes are debounced
(DEBOUNCE seconds after the last one); open and save lint at once.

Crash isolation: anything a document's lint, hover or code action raises is caught there, logged
(window/logMessage, with the traceback when VENVLINT_DEBUG is set) and reported for that document (one diagnostic
"venvlint failed on this file: ..."); the server and the other documents carry on. A config the command line would
refuse (its one line) is a diagnostic of each Dockerfile it applies to and one window/showMessage.
"""

from __future__ import annotations

import asyncio
import os
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..errors import InputError
from ..lines import split_lines, split_lines_keepends
from .diagnostics import failure, to_diagnostics
from .documents import Setup, lint_text, setup_for, uri_to_path

DEBOUNCE = 0.3  # seconds of quiet after a change before it is linted
CONFIG_GLOBS = ("**/.venvlint.yaml", "**/.venvlint.yml")

T = TypeVar("T")


class VenvlintServer(LanguageServer):
    def __init__(self, unsafe_fixes: bool = False) -> None:
        super().__init__("venvlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.unsafe_fixes = unsafe_fixes
        self.generation: dict[str, int] = {}
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="venvlint-lint")
        self.config_errors_shown: set[str] = set()
        self.event_loop: asyncio.AbstractEventLoop | None = None  # the loop the handlers run on
        self.tasks: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to its tasks

    # -- what a document is ------------------------------------------------------------------------------------

    def is_dockerfile(self, uri: str, language_id: str | None = None) -> bool:
        from ..discover import is_dockerfile

        path = uri_to_path(uri)
        return language_id == "dockerfile" or (path is not None and is_dockerfile(os.path.basename(path)))

    def is_config(self, uri: str) -> bool:
        from ..config import NAMES

        path = uri_to_path(uri)
        return path is not None and os.path.basename(path) in NAMES

    def is_open_dockerfile(self, uri: str) -> bool:
        docs = self.workspace.text_documents
        return uri in docs and self.is_dockerfile(uri, docs[uri].language_id)

    def open_dockerfiles(self) -> list[str]:
        return [uri for uri in self.workspace.text_documents if self.is_open_dockerfile(uri)]

    # -- linting -----------------------------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Lint `uri` after `delay` seconds; any lint of it scheduled or running before is now stale."""
        gen = self.generation[uri] = self.generation.get(uri, 0) + 1
        timer = self.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        loop = self.event_loop = asyncio.get_running_loop()
        self.timers[uri] = loop.call_later(delay, self._start_lint, uri, gen)

    def _start_lint(self, uri: str, gen: int) -> None:
        task = asyncio.get_running_loop().create_task(self.lint_and_publish(uri, gen))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def new_run(self) -> None:
        """Forget what one command-line run keeps (the profile sets, and with them which registries failed or are
        out of reach and which tags were resolved): a save or a config change is linted as a new run, so a base
        image that could not be read is asked for again, as the command line would. Queued in the worker, so a
        lint running now finishes with what it started with; the disk cache keeps every image read."""
        from ..profiles.catalog import forget_loaded

        self.worker.submit(forget_loaded)

    def relint_all(self) -> None:
        self.config_errors_shown.clear()
        self.new_run()
        for uri in self.open_dockerfiles():
            self.schedule(uri, 0)

    async def lint_and_publish(self, uri: str, gen: int) -> None:
        self.timers.pop(uri, None)
        if self.generation.get(uri) != gen or uri not in self.workspace.text_documents:
            return
        doc = self.workspace.get_text_document(uri)
        text, version = doc.source, doc.version
        codec = self.workspace.position_codec
        loop = asyncio.get_running_loop()
        outcome = await loop.run_in_executor(
            self.worker, self._diagnose, uri, text, gen, lambda s: int(codec.client_num_units(s))
        )
        if outcome is None or self.generation.get(uri) != gen:
            return  # a newer text (or a close) came while this one was linted: its lint publishes
        diagnostics, config_error = outcome
        if config_error is not None and config_error not in self.config_errors_shown:
            self.config_errors_shown.add(config_error)
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, config_error))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, diagnostics, version))

    def _diagnose(
        self, uri: str, text: str, gen: int, units: Callable[[str], int]
    ) -> tuple[list[types.Diagnostic], str | None] | None:
        """In the worker: the diagnostics of `text` and the config error if any; None when already stale."""
        if self.generation.get(uri) != gen:
            return None
        lines = split_lines(text)
        try:
            setup = setup_for(uri_to_path(uri))
        except InputError as exc:
            said = f"venvlint: error: {exc}"  # the command line's line for it, word for word
            return [failure(lines, said, units)], said
        except Exception as exc:
            return [failure(lines, self.report_crash(uri, "linting", exc), units)], None
        try:
            result = lint_text(setup, text)
            return to_diagnostics(uri, text, result, units), None
        except Exception as exc:
            return [failure(lines, self.report_crash(uri, "linting", exc), units)], None

    def report_crash(self, uri: str, doing: str, exc: BaseException) -> str:
        """Log a failure on one document (thread-safe) and return the one line said about it."""
        said = f"venvlint failed on this file: {type(exc).__name__}: {exc} (a bug in venvlint)"
        detail = f"venvlint: {doing} {uri} failed: {type(exc).__name__}: {exc}"
        if os.environ.get("VENVLINT_DEBUG"):
            detail += "\n" + "".join(traceback.format_exception(exc))
        params = types.LogMessageParams(types.MessageType.Error, detail)
        loop = self.event_loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self.window_log_message, params)
        else:
            self.window_log_message(params)
        return said

    async def in_worker(self, uri: str, doing: str, fallback: T, work: Callable[[], T]) -> T:
        """Run `work` in the worker; on an exception, log it for `uri` and answer `fallback`."""

        def guarded() -> T:
            try:
                return work()
            except InputError:
                return fallback  # a text that does not parse yet, or a refused config: the diagnostics say it
            except Exception as exc:
                self.report_crash(uri, doing, exc)
                return fallback

        loop = self.event_loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.worker, guarded)

    def setup(self, uri: str) -> Setup:
        return setup_for(uri_to_path(uri))


server = VenvlintServer()


@server.feature(types.INITIALIZED)
async def initialized(ls: VenvlintServer, params: types.InitializedParams) -> None:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is not None and watched.dynamic_registration:
        # The client watches the config files for us (LSP 3.17: workspace/didChangeWatchedFiles is registered
        # dynamically, with glob patterns).
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=g) for g in CONFIG_GLOBS]
        )
        registration = types.Registration(
            id="venvlint-config-files", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await ls.client_register_capability_async(types.RegistrationParams([registration]))
        except Exception as exc:  # a client that refuses: config changes are still seen on open and save
            ls.report_crash("(registration)", "registering the config watcher", exc)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: VenvlintServer, params: types.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    if ls.is_config(doc.uri):
        ls.relint_all()
    elif ls.is_dockerfile(doc.uri, doc.language_id):
        ls.schedule(doc.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: VenvlintServer, params: types.DidChangeTextDocumentParams) -> None:
    if ls.is_open_dockerfile(params.text_document.uri):
        ls.schedule(params.text_document.uri, DEBOUNCE)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: VenvlintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.is_config(uri):
        ls.relint_all()
    elif ls.is_open_dockerfile(uri):
        ls.new_run()
        ls.schedule(uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: VenvlintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri in ls.generation:
        ls.generation[uri] += 1  # whatever is still running for it is stale
        timer = ls.timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(ls: VenvlintServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(ls.is_config(change.uri) for change in params.changes):
        ls.relint_all()


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: VenvlintServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    if not ls.is_open_dockerfile(uri):
        return None
    text = ls.workspace.get_text_document(uri).source
    # The lines as the engine counts them (lines.py), not pygls's str.splitlines.
    position = ls.workspace.position_codec.position_from_client_units(split_lines_keepends(text), params.position)

    def work() -> str | None:
        from .hover import hover_markdown

        return hover_markdown(text, ls.setup(uri), position.line, position.character)

    markdown = await ls.in_worker(uri, "hovering", None, work)
    if markdown is None:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, markdown))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
)
async def code_action(ls: VenvlintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    only = params.context.only
    if uri not in ls.workspace.text_documents or (only and types.CodeActionKind.QuickFix not in only):
        return None  # (LSP 3.17: `only` filters the kinds the client wants)
    doc = ls.workspace.get_text_document(uri)
    text, version = doc.source, doc.version
    units = ls.workspace.position_codec.client_num_units
    caps = ls.client_capabilities.workspace
    versioned = bool(caps and caps.workspace_edit and caps.workspace_edit.document_changes)

    def work() -> list[types.CodeAction]:
        from .actions import code_actions

        return code_actions(
            uri,
            text,
            ls.setup(uri),
            params.context.diagnostics,
            ls.unsafe_fixes,
            lambda s: int(units(s)),
            version if versioned else None,
        )

    none: list[types.CodeAction] = []
    actions = await ls.in_worker(uri, "code actions for", none, work)
    if uri not in ls.workspace.text_documents or ls.workspace.get_text_document(uri).version != version:
        return []  # the text changed while they were made: their edits are for a text that is gone
    return actions


def serve(unsafe_fixes: bool = False) -> None:
    """Speak LSP on standard input and output until the client says exit."""
    server.unsafe_fixes = unsafe_fixes
    server.start_io()
