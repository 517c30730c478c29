"""The text form of `venvlint explain`: one rich table per path."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..explain import final_text, state_text


def render_explain(doc: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    console.print(
        f"[bold]{doc['dockerfile']}[/] — stage [cyan]{doc['stage']}[/], final USER [cyan]{doc['user']}[/], "
        f"builder [cyan]{doc['builder']}[/]"
    )
    for p in doc["paths"]:
        final = final_text(p)
        title = Text.assemble((p["path"], "bold"), " → ", (final, "green" if p["known"] else "yellow"))
        if p.get("resolved"):
            title.append(f"  (resolves to {p['resolved']})")
        table = Table(title=title, title_justify="left", show_lines=False, expand=False)
        table.add_column("line", justify="right")
        table.add_column("instruction", overflow="fold")
        table.add_column("owner:group mode", no_wrap=True)
        table.add_column("what happened", overflow="fold")
        for h in p["history"]:
            table.add_row(
                str(h["line"]) if h["line"] else "-",
                h["instruction"],
                state_text(h),
                h["note"],
            )
        if not p["history"]:
            table.add_row("-", "(no instruction changed it)", "", "")
        console.print(table)
    if doc.get("build_fails"):
        f = doc["build_fails"]
        console.print(f"[bold red]The build fails[/] at line {f['line']} (stage {f['stage']}): {f['message']}")
    if doc["assumptions"]:
        console.print("[bold]Assumptions[/] (what venvlint could not know):")
        for a in doc["assumptions"]:
            console.print(f"  line {a['line']}: {a['message']}")
