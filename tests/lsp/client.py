"""A real LSP client (pytest-lsp's) talking to `venvlint lsp` over stdio, and small helpers for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "venvlint", "lsp"]
CRASHING_SERVER = [sys.executable, str(Path(__file__).with_name("crashing_server.py"))]


class RecordingClient(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics in order and the registrations asked for."""

    def __init__(self) -> None:
        super().__init__(converter_factory=default_converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.registrations: list[types.Registration] = []
        self.initialized_with: types.InitializeResult | None = None


def _make_client() -> RecordingClient:
    client = RecordingClient()

    def publish(c: RecordingClient, params: types.PublishDiagnosticsParams) -> None:
        c.published.append(params)
        c.diagnostics[params.uri] = params.diagnostics

    def register(c: RecordingClient, params: types.RegistrationParams) -> None:
        c.registrations.extend(params.registrations)

    features = {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish}
    features[types.CLIENT_REGISTER_CAPABILITY] = register
    register_lsp_features(client, features)
    return client


@contextlib.asynccontextmanager
async def session(
    folders: Sequence[Path],
    command: Sequence[str] = SERVER,
    watch: bool = True,
    env: dict[str, str] | None = None,
    document_changes: bool = False,
) -> AsyncIterator[RecordingClient]:
    """A started and initialized server with these workspace folders; shut down and exited at the end. `watch`:
    the client offers to watch files; `document_changes`: it takes versioned edits (WorkspaceEdit.documentChanges)."""
    env = {**os.environ, **(env or {})}
    config = ClientServerConfig(server_command=list(command), server_env=env, client_factory=_make_client)
    client = await config.start()
    assert isinstance(client, RecordingClient)
    capabilities = types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=watch),
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=document_changes),
        ),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True),
        ),
    )
    client.initialized_with = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            workspace_folders=[types.WorkspaceFolder(f.as_uri(), f.name) for f in folders],
        )
    )
    try:
        yield client
    finally:
        await client.shutdown_session()
        await client.stop()


def open_doc(client: LanguageClient, path: Path, text: str, language_id: str = "dockerfile") -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language_id, 1, text)))
    return uri


def change_doc(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


async def wait_for(
    client: RecordingClient,
    uri: str,
    done: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
    after: int = 0,
    timeout: float = 20,
) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for `uri` (from the `after`-th publication on) that satisfy `done`."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        for p in client.published[after:]:
            if p.uri == uri and done(p):
                return p
        await asyncio.sleep(0.01)
    seen = [(p.uri, [d.code for d in p.diagnostics]) for p in client.published]
    raise AssertionError(f"no diagnostics for {uri} as expected within {timeout} s; published: {seen}")


def findings(p: types.PublishDiagnosticsParams) -> list[types.Diagnostic]:
    """The diagnostics that are findings, notes or failures: not the hints that carry the report's assumptions."""
    return [d for d in p.diagnostics if d.severity != types.DiagnosticSeverity.Hint]


def codes(p: types.PublishDiagnosticsParams) -> list[tuple[Any, int, Any]]:
    return [(d.code, d.range.start.line + 1, d.severity) for d in findings(p)]


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP TextEdits (ASCII text: a character is a UTF-16 unit) the way an editor does, last first."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        return starts[pos.line] + min(pos.character, len(lines[pos.line]))

    out = text
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        out = out[: offset(e.range.start)] + e.new_text + out[offset(e.range.end) :]
    return out
