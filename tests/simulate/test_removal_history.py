"""`explain` on a path that a RUN removed: its history goes on to the removal (and on, if it is made again)."""

from __future__ import annotations

from typing import Any

from venvlint.model.fs import REMOVALS_KEPT


def history(doc: dict[str, Any], path: str) -> list[tuple[int, str]]:
    (entry,) = [p for p in doc["paths"] if p["path"] == path]
    return [(h["line"], h["note"]) for h in entry["history"]]


def test_removed_and_made_again(build) -> None:  # type: ignore[no-untyped-def]
    doc = build("FROM base\nRUN mkdir -p /opt/x/y && chmod 700 /opt/x\nRUN rm -rf /opt/x\nRUN mkdir /opt/x\n",
                ["/opt/x", "/opt/x/y", "/opt/never"])  # fmt: skip
    assert history(doc, "/opt/x") == [(7, "created by mkdir"), (7, "chmod 700"), (8, "removed by rm"),
                                      (9, "created by mkdir")]  # fmt: skip
    y = next(p for p in doc["paths"] if p["path"] == "/opt/x/y")
    assert y["knowledge"] == "absent" and y["known"] is True  # /opt/x was made by the build: its listing is known
    assert history(doc, "/opt/x/y") == [(7, "created by mkdir"), (8, "removed by rm")]
    assert history(doc, "/opt/never") == []


def test_moved_away(build) -> None:  # type: ignore[no-untyped-def]
    doc = build("FROM base\nRUN mkdir /a && mv /a /b\n", ["/a", "/b"])
    assert history(doc, "/a") == [(7, "created by mkdir"), (7, "moved to /b by mv")]


def test_a_huge_removal_is_recorded_at_its_top(build) -> None:  # type: ignore[no-untyped-def]
    n = REMOVALS_KEPT + 1
    files = {f"t/f{i}": ("", 0o644) for i in range(n)}
    doc = build("FROM base\nCOPY t /t\nRUN rm -rf /t\n", ["/t", "/t/f1", "/t/absent-anyway"], files=files)
    assert history(doc, "/t")[-1] == (8, "removed by rm")
    assert history(doc, "/t/f1") == [(8, "removed by rm, with all of /t, if it was there")]
