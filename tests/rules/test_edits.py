"""Edits of a Dockerfile (venvlint.edits): they change only what they name, keep indentation, line endings,
continuations and heredocs, and refuse what does not fit."""

from __future__ import annotations

import pytest
from venvlint.edits import (
    Changes,
    Edit,
    EditError,
    EditKind,
    appendable,
    apply_edits,
    as_root,
    insert_after,
    insert_before,
)

C = Changes.COMMANDS  # what an edit changes does not matter to where it goes

SOURCE = (
    "# syntax=docker/dockerfile:1\n"
    "FROM python:3.12-slim\n"
    "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
    "    --network=none \\\n"
    "    pip install -r requirements.txt   # a comment stays\n"
    "COPY <<EOF /etc/app.conf\n"
    "x=1\n"
    "EOF\n"
    "  USER app\n"
)


def test_each_kind_changes_only_its_instruction() -> None:
    out = apply_edits(SOURCE, [
        Edit(EditKind.PREFIX_RUN, 3, "umask 002 && ", changes=C),
        insert_after(6, "RUN chmod 644 /etc/app.conf", changes=C),
        insert_before(9, "ENV HOME=/tmp", changes=C),
        Edit(EditKind.ADD_FLAG, 6, "--chmod=644", changes=C),
    ])  # fmt: skip
    assert out == (
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.12-slim\n"
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    --network=none \\\n"
        "    umask 002 && pip install -r requirements.txt   # a comment stays\n"
        "COPY --chmod=644 <<EOF /etc/app.conf\n"
        "x=1\n"
        "EOF\n"
        "RUN chmod 644 /etc/app.conf\n"
        "  ENV HOME=/tmp\n"
        "  USER app\n"
    )


def test_line_endings_are_kept() -> None:
    src = "FROM x\r\nRUN a\r\n"
    assert apply_edits(
        src, [insert_after(2, "RUN b", changes=C), Edit(EditKind.APPEND_RUN, 2, " && c", changes=C)]
    ) == ("FROM x\r\nRUN a && c\r\nRUN b\r\n")


def test_a_file_without_a_final_newline() -> None:
    assert apply_edits("FROM x\nRUN a", [insert_after(2, "RUN b", changes=C)]) == "FROM x\nRUN a\nRUN b\n"


def test_replace_and_delete() -> None:
    src = "FROM x\nVOLUME /data\nRUN chown 1:0 /data && echo ok\n"
    out = apply_edits(src, [Edit(EditKind.DELETE, 2, "", changes=C), Edit(EditKind.REPLACE, 3, "", old=" && echo ok", changes=C),
                            insert_after(3, "VOLUME /data", changes=C)])  # fmt: skip
    assert out == "FROM x\nRUN chown 1:0 /data\nVOLUME /data\n"


def test_equal_edits_apply_once() -> None:
    e = insert_before(2, "USER root", changes=C)
    assert apply_edits("FROM x\nRUN a\n", [e, e]) == "FROM x\nUSER root\nRUN a\n"


@pytest.mark.parametrize(
    "edit",
    [insert_after(5, "RUN b", changes=C), Edit(EditKind.REPLACE, 2, "y", old="nope", changes=C), Edit(EditKind.PREFIX_RUN, 1, "umask 002 && ", changes=C),
     Edit(EditKind.PREFIX_RUN, 3, "umask 002 && ", changes=C), Edit(EditKind.PREFIX_RUN, 4, "umask 002 && ", changes=C)],
)  # fmt: skip
def test_an_edit_that_does_not_fit_is_refused(edit: Edit) -> None:
    with pytest.raises(EditError):
        apply_edits('FROM x\nRUN a\nCMD ["a"]\nRUN ["b"]\n', [edit])


def test_as_root_wraps_only_for_another_user() -> None:
    assert as_root("", "RUN a") == ("RUN a",)
    assert as_root("0:0", "RUN a") == ("RUN a",)
    assert as_root("app", "RUN a") == ("USER root", "RUN a", "USER app")


def test_two_changes_of_one_instruction_compose() -> None:
    src = "FROM x\nRUN a \\\n    && b\nUSER app\n"
    out = apply_edits(
        src,
        [
            Edit(EditKind.REPLACE, 2, "", old=" \\\n    && b", changes=C),
            Edit(EditKind.APPEND_RUN, 2, " && c", changes=C),
        ],
    )
    assert out == "FROM x\nRUN a && c\nUSER app\n"


@pytest.mark.parametrize(
    "run", ["RUN pip install x  # the venv", "RUN a; \\\n  rm -rf /tmp/*;", "RUN <<EOF\npip install x\nEOF"]
)
def test_nothing_is_appended_after_a_comment_a_separator_or_a_heredoc(run: str) -> None:
    with pytest.raises(EditError):
        apply_edits(f"FROM x\n{run}\n", [Edit(EditKind.APPEND_RUN, 2, " && chown app /a", changes=C)])


def test_no_prefix_before_a_heredoc() -> None:
    with pytest.raises(EditError):
        apply_edits(
            "FROM x\nRUN <<EOF\npip install x\nEOF\n", [Edit(EditKind.PREFIX_RUN, 2, "umask 002 && ", changes=C)]
        )


def test_an_instruction_is_not_both_deleted_and_changed() -> None:
    with pytest.raises(EditError):
        apply_edits(
            "FROM x\nRUN a\n",
            [Edit(EditKind.DELETE, 2, "", changes=C), Edit(EditKind.APPEND_RUN, 2, " && b", changes=C)],
        )


def test_a_prefix_follows_the_dockerfiles_escape_character() -> None:
    """With `# escape=`` ` a backtick continues the line: the prefix goes past the RUN's flags on the next line."""
    text = "# escape=`\nFROM x\nRUN --mount=type=cache,target=/c `\n    pip install requests\n"
    out = apply_edits(text, [Edit(EditKind.PREFIX_RUN, 3, "umask 002 && ", changes=C)])
    assert out == "# escape=`\nFROM x\nRUN --mount=type=cache,target=/c `\n    umask 002 && pip install requests\n"
    assert not appendable("RUN pip install a `\n")


def test_a_flag_is_set_or_dropped_where_the_parser_puts_it() -> None:
    src = "FROM x\nCOPY --chown=app \\\n     --chmod=644 a.conf /etc/a.conf\nRUN --mount=type=cache,target=/c pip install x\n"
    edits = [
        Edit(EditKind.SET_FLAG, 2, "--chown=1001", old="--chown=app", changes=C),
        Edit(EditKind.SET_FLAG, 2, "", old="--chmod=644", changes=C),
        Edit(
            EditKind.SET_FLAG, 4, "--mount=type=cache,target=/c,uid=1001", old="--mount=type=cache,target=/c", changes=C
        ),
    ]
    assert apply_edits(src, edits) == (
        "FROM x\nCOPY --chown=1001 \\\n     a.conf /etc/a.conf\nRUN --mount=type=cache,target=/c,uid=1001 pip install x\n"
    )
    with pytest.raises(EditError):  # a value spelled otherwise (a variable, another flag) is not there
        apply_edits(src, [Edit(EditKind.SET_FLAG, 2, "--chown=1", old="--chown=$USER", changes=C)])


def test_a_cut_takes_out_exactly_its_characters() -> None:
    src = "FROM x\nRUN a && chown -R app /app && b\n"
    start = src.splitlines()[1].index(" && chown")
    cut = Edit(EditKind.CUT, 2, "", span=(start, start + len(" && chown -R app /app")), changes=C)
    assert apply_edits(src, [cut]) == "FROM x\nRUN a && b\n"
    with pytest.raises(EditError):
        apply_edits(src, [Edit(EditKind.CUT, 2, "", span=(5, 500), changes=C)])
