"""Interpret RUN scripts on the model with a real shell parse (tree-sitter-bash, error-tolerant).

Control flow follows the shell: `&&`/`||`/`;`, pipelines (last status), subshells (a `cd` inside does not leak),
`{ }`, `if`/`elif`/`else`, `case`, `for` over literal words, `set -e`, `sh -c`, `su`/`gosu`/`runuser`/`setpriv`
(the inner command runs as that user). Where venvlint cannot decide a condition, what depends on it runs
tentatively (see `Shell`). Command effects live in `commands`; a command they do not model is said, never dropped.
A command the model says is denied fails (status 1) and is recorded in `state.denied`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model.access import Identity
from ..model.fs import Cause, FileSystem, normpath
from ..model.mount import RunMount, read_mounts
from ..model.users import UserDB
from ..resolve.expand import UNKNOWN_MARK, OpenVars, unknown_value
from . import commands
from .commands import shell as shell_commands
from .commands import unmodelled
from .commands.base import UNKNOWN_WORD, Status, UnknownPath
from .commands.files import write_file
from .state import StageRecord, StageState
from .words import text, word

SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh"}
MAX_NESTING = 100  # compound statements inside each other
# tree-sitter-bash's heredoc scanner takes time quadratic in the number of `<<` operators of a script (0.25.1:
# 10,000 take 1.5 s, 50,000 take 36 s); real scripts have a handful.
MAX_HEREDOC_OPERATORS = 1000


@lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter

    return tree_sitter.Parser(tree_sitter.Language(_bash_language()))


def _bash_language() -> Any:
    """The bash grammar, from tree-sitter-bash's compiled module (see fastimport)."""
    from ..fastimport import load_module

    return load_module("tree_sitter_bash", "_binding").language()


@dataclass
class SimpleCommand:
    """A command found statically in a script (for CMD/ENTRYPOINT analysis)."""

    argv: list[str]
    cwd: str | None
    env: dict[str, str]


class Shell:
    """One shell running a RUN script on the model (the `commands.base.ShellContext` the commands see).

    Exit statuses are three-valued: 0, non-zero, or None when venvlint cannot tell (a query on something it does
    not know). A command that may or may not run — after an undecided `&&`/`||`, in either branch of an undecided
    `if`, in a `case` branch or a loop body — runs *tentatively*: the filesystem and the accounts record what it may
    have done (ASSUMED), and a denial is an assumption, not a finding.
    """

    def __init__(
        self,
        state: StageState,
        cause: Cause,
        env: Mapping[str, str],
        mounts: Sequence[str | RunMount],
        src: bytes = b"",
        offsets: Sequence[int] | None = None,
    ) -> None:
        self.state = state
        self.cause = cause
        self.vars: dict[str, str] = OpenVars(env) if isinstance(env, OpenVars) else dict(env)
        self.cwd = state.workdir
        self.errexit = False
        self.identity: Identity = state.identity
        self.umask = state.umask
        self.src = src
        # For a shell-form RUN whose script is its own text: where each character of the script stands in the
        # instruction's original text (`Instruction.raw_offsets`), and the script's bytes once it is parsed.
        self.offsets = offsets
        self.top_src: bytes | None = None
        self.top_chars: list[int] | None = None  # byte offset → character offset in it (None: ASCII, the same)
        # A command of an `a && b` list of the RUN's own script → the bytes that take it out with its `&&`.
        self.joins: dict[tuple[int, int], tuple[int, int]] = {}
        self.stopped = False
        self.mounts = read_mounts(mounts, state.workdir)  # writes below their targets do not persist
        self.error: str | None = None  # why the last failing command failed, when the model knows
        self.piped_from: list[str] | None = None  # the words of the command a pipe feeds this one from
        self.last_words: list[str] | None = None  # the words of the last simple command run
        self.depth = 0
        self.too_deep = False
        self._tentative = 0
        self.maybe_exited = False  # an `exit` ran in a command that may not have run
        self.errexit_exempt = False  # the last status came from where `set -e` does not act

    # -- entry points -------------------------------------------------------------------------------------------------
    def run_text(self, script: str) -> Status:
        if script.count("<<") > MAX_HEREDOC_OPERATORS:
            self.assume(
                f"the RUN script has more than {MAX_HEREDOC_OPERATORS:,} heredoc operators (`<<`): it is not interpreted"
            )
            return 0
        src = script.encode("utf-8", "replace")
        tree = _parser().parse(src)
        old = self.src
        self.src = src
        if self.top_src is None:
            self.top_src = src
            if len(src) != len(script):  # not ASCII: map bytes to characters once, not per command
                self.top_chars = [0] * (len(src) + 1)
                at = 0
                for k, ch in enumerate(script):
                    at += len(ch.encode("utf-8", "replace"))
                    self.top_chars[at] = k + 1
        try:
            return self.block(tree.root_node.named_children)
        finally:
            self.src = old

    def block(self, nodes: Sequence[Any]) -> Status:
        status: Status = 0
        for n in nodes:
            if self.stopped:
                break
            if n.type == "comment":
                continue
            # After an `exit` that may have run, the rest of the script may not run (nor fail, then).
            if self.maybe_exited and not self.tentative:
                ran = self.maybe(n)
                status = ran if ran == 0 else None
            else:
                status = self.node(n)
            exempt, self.errexit_exempt = self.errexit_exempt, False
            # `set -e` ignores an unknown status (None), a failure of any but the last command of an `&&`/`||`
            # list, and a `!` pipeline (POSIX).
            if status and self.errexit and not exempt:
                self.stopped = True
                break
        return status

    def exit(self, status: Status) -> Status:
        """`exit`: the script stops here; where this `exit` may not run, what follows it may not run either."""
        if self.tentative:
            self.maybe_exited = True
        else:
            self.stopped = True
        return status

    # -- tentative execution ------------------------------------------------------------------------------------------
    @property
    def tentative(self) -> bool:
        return self._tentative > 0

    def maybe(self, n: Any, *, redirects: list[tuple[str, str | None, bool]] | None = None,
              stdin: str | None = None) -> Status:  # fmt: skip
        """Run `n` as a command that may or may not run."""
        self._tentative += 1
        self.state.fs.tentative += 1
        self.state.users.tentative += 1
        stopped = self.stopped
        try:
            if redirects is not None:
                return self._with_redirects(n, redirects, stdin)
            return self.node(n)
        finally:
            self._tentative -= 1
            self.state.fs.tentative -= 1
            self.state.users.tentative -= 1
            self.stopped = stopped

    # -- nodes --------------------------------------------------------------------------------------------------------
    def node(self, n: Any) -> Status:
        # `{ { { ...` and `if ...; then if ...` nest the interpreter once per level: deeper than any real script
        # goes, the rest is left out of the model (and said) instead of exhausting Python's stack.
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                if not self.too_deep:
                    self.too_deep = True
                    self.assume(
                        f"the RUN script nests deeper than {MAX_NESTING} levels: what is below is not interpreted"
                    )
                    unmodelled.open_world(self, ["(script)"])
                return None
            return self._node(n)
        finally:
            self.depth -= 1

    def _node(self, n: Any) -> Status:
        t = n.type
        if t == "command":
            return self.command(n, [])
        if t == "redirected_statement":
            return self.redirected(n)
        if t == "list":
            return self.list_(n)
        if t == "pipeline":
            return self.pipeline(n)
        if t == "subshell":
            saved = (self.cwd, self.vars.copy(), self.errexit, self.umask, self.identity, self.maybe_exited)
            status = self.block(n.named_children)
            self.cwd, self.vars, self.errexit, self.umask, self.identity, self.maybe_exited = saved
            self.stopped = False  # an `exit` in a subshell ends only the subshell
            return status
        if t in ("compound_statement", "do_group"):
            return self.block(n.named_children)
        if t == "negated_command":
            s = self.block(n.named_children)
            self.errexit_exempt = True
            return None if s is None else (0 if s != 0 else 1)
        if t == "variable_assignment":
            self.assign(n)
            return 0
        if t == "declaration_command":
            for c in n.named_children:
                if c.type == "variable_assignment":
                    self.assign(c)
            return 0
        if t == "unset_command":
            for c in n.named_children[1:] if n.named_children else []:
                self.vars.pop(text(c, self.src), None)
            return 0
        if t == "if_statement":
            return self.if_(n)
        if t == "for_statement":
            return self.for_(n)
        if t in ("while_statement", "c_style_for_statement"):
            body = n.child_by_field_name("body")
            self.assume(f"a `{t.split('_')[0]}` loop was replayed once, as if its body may run")
            return self.maybe(body) if body is not None else 0
        if t == "case_statement":
            for item in n.named_children:
                if item.type == "case_item":
                    for c in item.named_children:
                        if c.is_named and item.field_name_for_child(item.children.index(c)) != "value":
                            self.maybe(c)
            return None
        if t == "function_definition":
            self.assume("a shell function was defined: calls to it are not modelled")
            return 0
        if t == "test_command":
            return self.test(n)
        if t == "ERROR":
            self.assume("part of the RUN script could not be parsed; its effects are not in the model")
            unmodelled.open_world(self, ["(script)"])
            return None
        return 0

    def test(self, node: Any) -> Status:
        """`[ ... ]` / `[[ ... ]]` decided on the model (None when it cannot be)."""
        words: list[str] = []
        for c in node.named_children:
            for leaf in [c] if c.type not in ("unary_expression", "binary_expression") else c.children:
                w = self.word(leaf) if leaf.is_named else leaf.type
                if w is None:
                    return None
                words.append(w)
        return shell_commands.decide(self, words)

    def word(self, node: Any) -> str | None:
        return word(node, self.src, self.vars, self.home_of_user)

    def home_of_user(self, name: str) -> str | None:
        """For `~name`: that user's home directory, None when it is not known."""
        user = self.state.users.by_name(name)
        return user.home if user is not None else None

    def assign(self, n: Any) -> None:
        name_node = n.child_by_field_name("name")
        value_node = n.child_by_field_name("value")
        if name_node is None:
            return
        name = text(name_node, self.src)
        value = "" if value_node is None else self.word(value_node)
        self.vars[name] = unknown_value(name) if value is None else value

    def list_(self, n: Any, tail: list[tuple[str, str | None, bool]] | None = None, stdin: str | None = None) -> Status:
        """`a && b || c`, left to right; where the status so far is unknown, the next command may or may not run.
        tree-sitter-bash attaches a trailing redirect to the whole list (`a && b > f`), but the shell binds it to the
        last command, so `tail` redirects go to the last element."""
        status: Status = 0
        items = _flatten_list(n)
        if self.offsets is not None and self.src is self.top_src:
            self._note_joins(items)
        last = items[-1][1] if items else None
        last_ran = False
        for op, c in items:
            redirects = tail if tail is not None and c is last else None
            last_ran = False
            if op is None or (op == "&&" and status == 0) or (op == "||" and status not in (0, None)):
                status = self._with_redirects(c, redirects, stdin) if redirects is not None else self.node(c)
                last_ran = c is last
            elif status is None:
                ran = self.maybe(c, redirects=redirects, stdin=stdin)
                # `a || b`: 0 either way when b succeeds; `a && b`: non-zero either way when b fails.
                status = 0 if (op == "||" and ran == 0) else (1 if (op == "&&" and ran) else None)
            if self.stopped:
                break
        self.errexit_exempt = not last_ran  # `set -e` acts only on the last command of the list
        return status

    def _note_joins(self, items: list[tuple[str | None, Any]]) -> None:
        """For each command of an and-list, what takes it out and leaves the list doing the rest: `c && ` for the
        first (followed by `&&`), ` && c` for a later one joined by `&&`; none where `||` is involved."""
        for k, (op, c) in enumerate(items):
            if c.type != "command":
                continue
            after = items[k + 1] if k + 1 < len(items) else None
            if op is None and after is not None and after[0] == "&&":
                self.joins[(c.start_byte, c.end_byte)] = (c.start_byte, after[1].start_byte)
            elif op == "&&" and (after is None or after[0] == "&&"):
                self.joins[(c.start_byte, c.end_byte)] = (items[k - 1][1].end_byte, c.end_byte)

    def pipeline(self, n: Any) -> Status:
        """Each command of a pipeline runs; the last one's status counts. A shell or interpreter reading the
        pipe runs a script venvlint cannot see (`curl ... | sh`)."""
        status: Status = 0
        previous: list[str] | None = None
        for i, c in enumerate(n.named_children):
            self.last_words = None
            self.piped_from = previous if i else None
            try:
                status = self.command(c, [], PIPED) if i and c.type == "command" else self.node(c)
            finally:
                self.piped_from = None
            previous = self.last_words
        return status

    def _with_redirects(self, c: Any, redirects: list[tuple[str, str | None, bool]], stdin: str | None) -> Status:
        if c.type == "command":
            return self.command(c, redirects, stdin)
        if c.type == "list":
            return self.list_(c, redirects, stdin)
        if c.type == "pipeline" and c.named_children:
            for x in c.named_children[:-1]:
                self.node(x)
            return self._with_redirects(c.named_children[-1], redirects, PIPED)
        if c.type == "redirected_statement":
            return self.redirected(c, redirects)
        status = self.node(c)
        for op, target, append in redirects:
            if target is not None and op.startswith(">"):
                write_file(self, target, None, append)
        return status

    def if_(self, n: Any) -> Status:
        """`if`: the condition runs; the branch it selects runs, or both may when it is undecided (elif chains
        likewise)."""
        conds: list[Any] = []
        body: list[Any] = []
        else_part: Any = None
        for i, c in enumerate(n.children):
            if not c.is_named:
                continue
            if n.field_name_for_child(i) == "condition":
                conds.append(c)
            elif c.type in ("else_clause", "elif_clause"):
                if else_part is None:
                    else_part = c
            else:
                body.append(c)
        decided: Status = 0
        for c in conds:
            decided = self.node(c)
        if decided == 0:
            return self.block(body)
        if decided is None:
            self.assume("an `if` condition could not be decided on the model: both branches may run")
            self._tentative_block(body)
            if else_part is not None:
                self._tentative_else(else_part)
            return None
        if else_part is None:
            return 0
        if else_part.type == "elif_clause":
            return self.if_(else_part)
        return self.block(else_part.named_children)

    def _tentative_block(self, nodes: Sequence[Any]) -> None:
        for x in nodes:
            self.maybe(x)

    def _tentative_else(self, part: Any) -> None:
        if part.type == "elif_clause":
            for i, c in enumerate(part.children):
                if c.is_named and part.field_name_for_child(i) != "condition":
                    if c.type in ("else_clause", "elif_clause"):
                        self._tentative_else(c)
                    else:
                        self.maybe(c)
        else:
            self._tentative_block(part.named_children)

    def for_(self, n: Any) -> Status:
        var = n.child_by_field_name("variable")
        values = [c for i, c in enumerate(n.children) if n.field_name_for_child(i) == "value"]
        body = n.child_by_field_name("body")
        if var is None or body is None:
            return 0
        name = text(var, self.src)
        items: list[str] = []
        for v in values:
            w = self.word(v)
            if w is None:
                self.assume("a `for` loop over computed values was replayed once, as if its body may run")
                self.vars[name] = unknown_value(name)
                return self.maybe(body)
            items.extend(w.split() if v.type in ("simple_expansion", "expansion") else [w])
        status: Status = 0
        for item in items:
            self.vars[name] = item
            status = self.node(body)
            if self.stopped:
                break
        return status

    def redirected(self, n: Any, outer: list[tuple[str, str | None, bool]] | None = None) -> Status:
        body = n.child_by_field_name("body")
        redirects: list[tuple[str, str | None, bool]] = list(outer or [])  # (op, target, append)
        heredoc: str | None = None
        for i, c in enumerate(n.children):
            if n.field_name_for_child(i) != "redirect":
                continue
            if c.type == "heredoc_redirect":
                for hc in c.named_children:
                    if hc.type == "heredoc_body":
                        heredoc = text(hc, self.src)
                    if hc.type == "file_redirect":
                        redirects.append(self._file_redirect(hc))
            elif c.type == "file_redirect":
                redirects.append(self._file_redirect(c))
        if body is None:
            return 0
        return self._with_redirects(body, redirects, heredoc)

    def _file_redirect(self, c: Any) -> tuple[str, str | None, bool]:
        op = ""
        for ch in c.children:
            if not ch.is_named:
                op = ch.type
        dest = c.child_by_field_name("destination")
        target = self.word(dest) if dest is not None else None
        if target is None and dest is not None:
            target = UNKNOWN_WORD
        return op, target, op == ">>"

    def command(self, n: Any, redirects: list[tuple[str, str | None, bool]], stdin: str | None = None) -> Status:
        prefix: dict[str, str] = {}
        argv: list[str | None] = []
        for i, c in enumerate(n.children):
            f = n.field_name_for_child(i)
            if c.type == "variable_assignment":
                name_node = c.child_by_field_name("name")
                value_node = c.child_by_field_name("value")
                if name_node is not None:
                    key = text(name_node, self.src)
                    v = "" if value_node is None else self.word(value_node)
                    prefix[key] = unknown_value(key) if v is None else v
            elif f == "name":
                argv.append(self.word(c.named_children[0]) if c.named_children else text(c, self.src))
            elif f == "argument":
                argv.append(self.word(c))
            elif c.type == "file_redirect" or f == "redirect":
                redirects = [*redirects, self._file_redirect(c)]
        if not argv:
            self.vars.update(prefix)
            return 0
        out_target = None
        append = False
        for op, target, app in redirects:
            if op in (">", ">>", ">|", "&>", "&>>") and target not in (None, "/dev/null", "/dev/stderr", "/dev/stdout"):
                out_target, append = target, app or op == "&>>"
        env = {**self.vars, **prefix}
        if isinstance(self.vars, OpenVars):
            env = OpenVars(env)
        self.last_words = [UNKNOWN_WORD if a is None else a for a in argv]
        cause = self.cause
        span = self._span(n.start_byte, n.end_byte)
        if span is not None:  # what this command changes says which command of the RUN changed it (for edits)
            join = self.joins.get((n.start_byte, n.end_byte))
            self.cause = cause._replace(span=span, cut=self._span(*join) if join is not None else None)
        try:
            return commands.dispatch(self, argv, env, out_target, append, None if stdin is PIPED else stdin)
        finally:
            self.cause = cause

    def _span(self, start_byte: int, end_byte: int) -> tuple[int, int] | None:
        """Where the bytes [start_byte, end_byte) of the script stand in the RUN's original text, when the script
        being run is the RUN's own (not one another command runs) and that is the RUN's text."""
        if self.offsets is None or self.src is not self.top_src or end_byte <= start_byte:
            return None
        chars = self.top_chars
        start, end = (start_byte, end_byte) if chars is None else (chars[start_byte], chars[end_byte])
        if end > len(self.offsets):
            return None
        return self.offsets[start], self.offsets[end - 1] + 1

    # -- what commands may call back (commands.base.ShellContext) --------------------------------------------
    def dispatch(
        self, argv: list[str | None], env: dict[str, str], out: str | None, append: bool, stdin: str | None
    ) -> Status:
        return commands.dispatch(self, argv, env, out, append, stdin)

    # What a command handler sees of the stage (`commands.base.ShellContext`): not the whole state.
    @property
    def fs(self) -> FileSystem:
        return self.state.fs

    @property
    def users(self) -> UserDB:
        return self.state.users

    @property
    def record(self) -> StageRecord:
        return self.state.record

    @property
    def stage(self) -> str:
        return self.state.name

    @property
    def profile(self) -> str | None:
        return self.state.profile

    def path(self, p: str) -> str:
        """An absolute image path for a word; raises UnknownPath when it depends on what venvlint cannot know
        (a computed word, or a relative one in an unknown directory)."""
        full = normpath(p, self.cwd)
        if UNKNOWN_MARK in full:
            raise UnknownPath(p)
        return full

    def assume(self, message: str) -> None:
        self.state.assume(self.cause.line, message)

    def open_variables(self) -> None:
        if not isinstance(self.vars, OpenVars):
            self.vars = OpenVars(self.vars)

    def run_as(self, identity: Identity, argv: list[str | None], env: dict[str, str]) -> Status:
        saved = self.identity
        self.identity = identity
        try:
            return commands.dispatch(self, argv, env, None, False, None)
        finally:
            self.identity = saved

    def run_nested(self, script: str, identity: Identity | None = None, env: dict[str, str] | None = None) -> Status:
        """Run `script` in a nested shell (`sh -c`, `su -c`), as `identity` and with `env` when given."""
        saved = (self.identity, self.cwd, self.errexit, self.vars)
        if identity is not None:
            self.identity = identity
        if env is not None:
            self.vars = env.copy()
        try:
            status = self.run_text(script)
        finally:
            self.identity, self.cwd, self.errexit, self.vars = saved
            self.stopped = False
        return status


# Standard input that comes from the previous command of a pipeline (its content is not known).
PIPED = "\x00piped\x00"


def _flatten_list(n: Any) -> list[tuple[str | None, Any]]:
    """`a && b || c` is parsed left-nested (list(list(a, b), c)); walk it without recursion, so a chain of
    thousands of commands cannot exhaust Python's stack. `&&` and `||` have equal precedence, left to right."""
    tail: list[tuple[str | None, Any]] = []
    cur = n
    while cur.type == "list":
        named = [c for c in cur.children if c.is_named]
        ops = [c.type for c in cur.children if c.type in ("&&", "||")]
        if len(named) != 2 or len(ops) != 1:
            items: list[tuple[str | None, Any]] = []
            op: str | None = None
            for c in cur.children:
                if c.type in ("&&", "||"):
                    op = c.type
                elif c.is_named:
                    items.append((op, c))
            return items + tail[::-1]
        tail.append((ops[0], named[1]))
        cur = named[0]
    return [(None, cur), *tail[::-1]]


def run_script(
    state: StageState,
    script: str,
    cause: Cause,
    env: Mapping[str, str],
    *,
    mounts: Sequence[str | RunMount] = (),
    offsets: Sequence[int] | None = None,
) -> tuple[int, str | None]:
    """Interpret a shell-form RUN. Returns the script's exit status (0 when it cannot be told) and, when it fails,
    why. `offsets`: where each character of `script` stands in the instruction's original text, when the script is
    that text (then each change a command makes carries the command's span in its cause)."""
    sh = Shell(state, cause, env, mounts, offsets=offsets)
    status = sh.run_text(script) or 0
    return status, sh.error if status else None


def run_argv(
    state: StageState,
    argv: Sequence[str],
    cause: Cause,
    env: Mapping[str, str],
    *,
    mounts: Sequence[str | RunMount] = (),
) -> tuple[int, str | None]:
    sh = Shell(state, cause, env, mounts)
    status = commands.dispatch(sh, list(argv), sh.vars, None, False, None) or 0
    return status, sh.error if status else None


def scan_commands(script: str, env: Mapping[str, str]) -> list[SimpleCommand]:
    """The simple commands of a script, with their argv expanded (unknown words dropped), without any model."""
    if script.count("<<") > MAX_HEREDOC_OPERATORS:
        return []
    src = script.encode("utf-8", "replace")
    tree = _parser().parse(src)
    out: list[SimpleCommand] = []
    vars_ = dict(env)
    cwd: list[str | None] = [None]

    def visit(n: Any) -> None:
        if n.type == "command":
            argv: list[str] = []
            prefix: dict[str, str] = {}
            for i, c in enumerate(n.children):
                f = n.field_name_for_child(i)
                if c.type == "variable_assignment":
                    nm = c.child_by_field_name("name")
                    vn = c.child_by_field_name("value")
                    v = "" if vn is None else word(vn, src, vars_)
                    if nm is not None and v is not None:
                        prefix[text(nm, src)] = v
                elif f in ("name", "argument"):
                    w = word(c.named_children[0] if f == "name" and c.named_children else c, src, vars_)
                    if w is not None:
                        argv.append(w)
            if argv:
                if argv[0] == "cd" and len(argv) > 1:
                    cwd[0] = argv[1]
                elif argv[0] == "exec" and len(argv) > 1:
                    argv = argv[1:]
                if posixpath.basename(argv[0]) in SHELLS and "-c" in argv[1:3]:
                    i = argv.index("-c")
                    if i + 1 < len(argv):
                        out.extend(scan_commands(argv[i + 1], {**vars_, **prefix}))
                        return
                out.append(SimpleCommand(argv, cwd[0], {**vars_, **prefix}))
            return
        if n.type == "variable_assignment":
            nm = n.child_by_field_name("name")
            vn = n.child_by_field_name("value")
            if nm is not None:
                v = "" if vn is None else word(vn, src, vars_)
                if v is not None:
                    vars_[text(nm, src)] = v
            return
        pending.extend(reversed(n.named_children))

    pending: list[Any] = [tree.root_node]
    while pending:  # iterative, so deeply nested lists cannot exhaust the stack
        visit(pending.pop())
    return out
