"""Latency of `venvlint lsp` as an editor sees it, over stdio with pytest-lsp's client (the test extras).

    python bench/lsp_latency.py [--runs 7]

Prints medians over the runs: start-up (process start to the `initialize` answer), a save of examples/Dockerfile
to its diagnostics (a save lints at once), a hover on a path to its answer, and the debounce: ten changes 20 ms
apart, then the time from the last change to the one publication (and how many were published). Offline: base
images come from the built-in profiles, as in the tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parents[1]


async def measure(runs: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="venvlint-lsp-bench-")) / "ws"
    shutil.copytree(ROOT / "examples", folder)
    (folder / ".git").mkdir()
    text = (folder / "Dockerfile").read_text()
    text = text.replace("USER 1001\n", "RUN ls /opt/app-root\nUSER 1001\n", 1)
    hover_line = text.splitlines().index("RUN ls /opt/app-root")
    env = {**os.environ, "VENVLINT_OFFLINE": "1", "XDG_CONFIG_HOME": str(folder / ".none")}
    out: dict[str, list[float]] = {"startup": [], "save": [], "hover": [], "debounce": [], "published": []}
    published: list[tuple[float, types.PublishDiagnosticsParams]] = []
    for _ in range(runs):
        published.clear()
        start = time.perf_counter()

        def record(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
            published.append((time.perf_counter(), params))

        def factory() -> LanguageClient:
            client = LanguageClient(converter_factory=default_converter)
            register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: record})
            return client

        config = ClientServerConfig([sys.executable, "-m", "venvlint", "lsp"], server_env=env, client_factory=factory)
        client = await config.start()
        assert isinstance(client, LanguageClient)

        await client.initialize_session(
            types.InitializeParams(
                types.ClientCapabilities(), workspace_folders=[types.WorkspaceFolder(folder.as_uri(), "ws")]
            )
        )
        out["startup"].append(time.perf_counter() - start)
        uri = (folder / "Dockerfile").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "dockerfile", 1, text))
        )
        await until(lambda: len(published) >= 1)
        sent = time.perf_counter()
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
        await until(lambda: len(published) >= 2)
        out["save"].append(published[1][0] - sent)
        sent = time.perf_counter()
        await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(hover_line, 10))
        )
        out["hover"].append(time.perf_counter() - sent)
        for version in range(2, 12):
            change = types.TextDocumentContentChangeWholeDocument(text + f"# {version}\n")
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change])
            )
            last = time.perf_counter()
            await asyncio.sleep(0.02)
        await until(lambda: len(published) >= 3)
        await asyncio.sleep(0.8)
        out["debounce"].append(published[2][0] - last)
        out["published"].append(len(published) - 2)
        await client.shutdown_session()
        await client.stop()
    return out


async def until(done: object, timeout: float = 30) -> None:
    end = time.perf_counter() + timeout
    while not done():  # type: ignore[operator]
        if time.perf_counter() > end:
            raise TimeoutError
        await asyncio.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    out = asyncio.run(measure(runs))
    for name, values in out.items():
        unit = "" if name == "published" else " ms"
        scale = 1 if name == "published" else 1000
        shown = ", ".join(f"{v * scale:.0f}" for v in values)
        print(f"{name:>10}: median {statistics.median(values) * scale:.0f}{unit}  ({shown})")


if __name__ == "__main__":
    main()
