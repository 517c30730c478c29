from __future__ import annotations

from pathlib import Path

import pytest
from venvlint.lint import LintOptions, lint_file

BASE = "FROM registry.access.redhat.com/ubi9/python-311\nUSER 0\n{pragma}COPY overlay/ /\nUSER 1001\n"


def _lint(tmp_path: Path, pragma: str, **kw: object) -> tuple[list[str], str | None]:
    (tmp_path / "overlay/opt/app-root").mkdir(parents=True, exist_ok=True)
    (tmp_path / "overlay/opt/app-root/app.conf").write_text("x")
    df = tmp_path / "Dockerfile"
    df.write_text(BASE.format(pragma=pragma))
    r = lint_file(str(df), LintOptions(**kw))  # type: ignore[arg-type]
    return [f.code for f in r.findings], r.error


def test_without_pragma_the_reset_is_found(tmp_path: Path) -> None:
    assert _lint(tmp_path, "")[0] == ["VL001"]


def test_next_instruction_pragma_by_code_or_name_with_reason(tmp_path: Path) -> None:
    assert _lint(tmp_path, "# venvlint ignore=VL001\n")[0] == []
    assert _lint(tmp_path, "# venvlint ignore=dir-reset-by-copy # the overlay is fixed up later\n")[0] == []


def test_pragma_only_covers_the_next_instruction(tmp_path: Path) -> None:
    df_codes, _ = _lint(tmp_path, "# venvlint ignore=VL001\nRUN true\n")
    assert df_codes == ["VL001"]


def test_global_and_stage_pragmas(tmp_path: Path) -> None:
    assert _lint(tmp_path, "# venvlint global ignore=VL001\n")[0] == []
    (tmp_path / "overlay/opt/app-root").mkdir(parents=True, exist_ok=True)
    (tmp_path / "overlay/opt/app-root/app.conf").write_text("x")
    df = tmp_path / "Dockerfile"
    df.write_text("# venvlint stage ignore=VL001\n" + BASE.format(pragma=""))
    assert [f.code for f in lint_file(str(df), LintOptions()).findings] == []


def test_no_pragmas_option(tmp_path: Path) -> None:
    assert _lint(tmp_path, "# venvlint ignore=VL001\n", pragmas=False)[0] == ["VL001"]


def test_an_unknown_rule_in_a_pragma_is_a_note_and_the_file_is_still_linted(tmp_path: Path) -> None:
    """As hadolint does: a pragma written for a newer venvlint, or a typo, must not stop the lint (it was exit 2).
    The known codes of the same pragma still apply."""
    (tmp_path / "overlay/opt/app-root").mkdir(parents=True, exist_ok=True)
    (tmp_path / "overlay/opt/app-root/app.conf").write_text("x")
    df = tmp_path / "Dockerfile"
    df.write_text(BASE.format(pragma="# venvlint ignore=VL999\n"))
    r = lint_file(str(df), LintOptions())
    assert r.error is None and [f.code for f in r.findings] == ["VL001"]
    assert r.notes == [(3, "unknown rule 'VL999' in pragma, not applied (see `venvlint rules`)")]
    df.write_text(BASE.format(pragma="# venvlint ignore=VL999,VL001\n"))
    r = lint_file(str(df), LintOptions())
    assert r.findings == [] and len(r.notes) == 1


def test_trailing_comment_is_not_a_pragma(tmp_path: Path) -> None:
    # `RUN true # venvlint ...` is a shell comment inside the RUN, not a whole-line comment: the COPY is not covered.
    codes, _ = _lint(tmp_path, "RUN true # venvlint ignore=VL001\n")
    assert codes == ["VL001"]


def test_the_colon_form_is_a_pragma_too(tmp_path: Path) -> None:
    # Before, `# venvlint: ignore=VL001` was silently not a pragma (and the finding stayed).
    assert _lint(tmp_path, "# venvlint: ignore=VL001\n")[0] == []
    assert _lint(tmp_path, "# venvlint: global ignore=VL001\n")[0] == []
    _, error = _lint(tmp_path, "# venvlint: ignore VL001\n")
    assert error is not None and "malformed pragma" in error


@pytest.mark.parametrize(
    "pragma",
    ["# venvlint ignor=VL001\n", "# venvlint foo=VL001\n", "# venvlint ignore=\n", "# venvlint: ignore=VL001 extra\n",
     "# venvlint stage ignore VL001\n"],
)  # fmt: skip
def test_a_mistyped_pragma_is_named_never_silently_ignored(tmp_path: Path, pragma: str) -> None:
    _, error = _lint(tmp_path, pragma)
    assert error is not None and "malformed pragma" in error and "Dockerfile:3" in error


def test_a_comment_about_venvlint_is_not_a_pragma(tmp_path: Path) -> None:
    assert _lint(tmp_path, "# venvlint is run in CI\n") == (["VL001"], None)


def test_a_trailing_pragma_is_said_not_to_be_one(tmp_path: Path) -> None:
    """In Docker the words after the COPY are its arguments: `#`, `venvlint`, `ignore=VL001` (the destination!)."""
    (tmp_path / "overlay/opt/app-root").mkdir(parents=True, exist_ok=True)
    (tmp_path / "overlay/opt/app-root/app.conf").write_text("x")
    df = tmp_path / "Dockerfile"
    df.write_text(BASE.format(pragma="").replace("COPY overlay/ /", "COPY overlay/ / # venvlint ignore=VL001"))
    r = lint_file(str(df), LintOptions())
    assert any(line == 3 and "not a pragma" in note for line, note in r.notes), r.notes
