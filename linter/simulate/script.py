"""Interpret RUN scripts on the model with a real shell parse (tree-sitter-bash, error-tolerant).

Control flow follows the shell: `&&`/`||`/`;`, pipelines (last status), subshells (a `cd` inside does not leak),
`{ }`, `if` (only when the condition can be decided on the model), `for` over literal words, `set -e`, `sh -c`,
`su`/`gosu`/`runuser`/`setpriv` (the inner command runs as that user). Command effects live in `commands`.
Anything not understood leaves the model unchanged; where it could have changed owners or modes, an assumption
says so. A command the model says is denied fails (status 1) and is recorded in `state.denied`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model.access import Identity
from ..model.fs import Cause, normpath
from . import commands
from .commands import shell as shell_commands
from .commands.files import write_file
from .state import StageState
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
    def __init__(
        self, state: StageState, cause: Cause, env: Mapping[str, str], mounts: Sequence[str], src: bytes = b""
    ) -> None:
        self.state = state
        self.cause = cause
        self.vars: dict[str, str] = dict(env)
        self.cwd = state.workdir
        self.errexit = False
        self.identity: Identity = state.identity
        self.umask = state.umask
        self.src = src
        self.stopped = False
        self.raw_mounts = tuple(mounts)  # the --mount flags as written (recorded with tool runs)
        self.mounts = commands.parse_mounts(mounts, state.workdir)  # their targets: writes there do not persist
        self.error: str | None = None  # why the last failing command failed, when the model knows
        self.depth = 0
        self.too_deep = False

    # -- entry points -------------------------------------------------------------------------------------------------
    def run_text(self, script: str) -> int:
        if script.count("<<") > MAX_HEREDOC_OPERATORS:
            self.assume(
                f"the RUN script has more than {MAX_HEREDOC_OPERATORS:,} heredoc operators (`<<`): it is not interpreted"
            )
            return 0
        src = script.encode("utf-8", "replace")
        tree = _parser().parse(src)
        old = self.src
        self.src = src
        try:
            return self.block(tree.root_node.named_children)
        finally:
            self.src = old

    def block(self, nodes: Sequence[Any]) -> int:
        status = 0
        for n in nodes:
            if self.stopped:
                break
            if n.type == "comment":
                continue
            status = self.node(n)
            if status != 0 and self.errexit:
                self.stopped = True
                break
        return status

    # -- nodes --------------------------------------------------------------------------------------------------------
    def node(self, n: Any) -> int:
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
                return 0
            return self._node(n)
        finally:
            self.depth -= 1

    def _node(self, n: Any) -> int:
        t = n.type
        if t == "command":
            return self.command(n, [])
        if t == "redirected_statement":
            return self.redirected(n)
        if t == "list":
            return self.list_(n)
        if t == "pipeline":
            status = 0
            for c in n.named_children:
                status = self.node(c)
            return status
        if t == "subshell":
            saved = (self.cwd, dict(self.vars), self.errexit, self.umask, self.identity)
            status = self.block(n.named_children)
            self.cwd, self.vars, self.errexit, self.umask, self.identity = saved
            self.stopped = False if not self.errexit else self.stopped
            return status
        if t in ("compound_statement", "do_group"):
            return self.block(n.named_children)
        if t == "negated_command":
            s = self.block(n.named_children)
            return 0 if s != 0 else 1
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
        if t in ("while_statement", "case_statement", "c_style_for_statement"):
            self.assume(f"a `{t.split('_')[0]}` block was not interpreted: its effects are not in the model")
            return 0
        if t == "function_definition":
            return 0
        if t == "test_command":
            r = shell_commands.test(self, n)
            return 0 if r is None else r
        if t == "ERROR":
            self.assume("part of the RUN script could not be parsed; its effects are not in the model")
            return 0
        return 0

    def assign(self, n: Any) -> None:
        name_node = n.child_by_field_name("name")
        value_node = n.child_by_field_name("value")
        if name_node is None:
            return
        name = text(name_node, self.src)
        value = "" if value_node is None else word(value_node, self.src, self.vars)
        if value is None:
            self.vars.pop(name, None)
        else:
            self.vars[name] = value

    def list_(self, n: Any, tail: list[tuple[str, str | None, bool]] | None = None, stdin: str | None = None) -> int:
        """`a && b || c`. tree-sitter-bash attaches a trailing redirect to the whole list (`a && b > f`), but the
        shell binds it to the last command, so `tail` redirects go to the last element."""
        status = 0
        items = _flatten_list(n)
        last = items[-1][1] if items else None
        for op, c in items:
            if op == "&&" and status != 0:
                continue
            if op == "||" and status == 0:
                continue
            status = self._with_redirects(c, tail, stdin) if tail is not None and c is last else self.node(c)
            if self.stopped:
                break
        return status

    def _with_redirects(self, c: Any, redirects: list[tuple[str, str | None, bool]], stdin: str | None) -> int:
        if c.type == "command":
            return self.command(c, redirects, stdin)
        if c.type == "list":
            return self.list_(c, redirects, stdin)
        if c.type == "pipeline" and c.named_children:
            for x in c.named_children[:-1]:
                self.node(x)
            return self._with_redirects(c.named_children[-1], redirects, stdin)
        if c.type == "redirected_statement":
            return self.redirected(c, redirects)
        status = self.node(c)
        for op, target, append in redirects:
            if target is not None and op.startswith(">"):
                write_file(self, target, None, append)
        return status

    def if_(self, n: Any) -> int:
        conds = [c for c in n.children if n.field_name_for_child(n.children.index(c)) == "condition" and c.is_named]
        decided: int | None = None
        for c in conds:
            if c.type == "test_command":
                decided = shell_commands.test(self, c)
            elif c.type == "command" and text(c, self.src).strip() in ("true", ":"):
                decided = 0
            elif c.type == "command" and text(c, self.src).strip() == "false":
                decided = 1
            else:
                decided = None
        if decided is None:
            self.assume("an `if` condition could not be decided on the model: neither branch was applied")
            return 0
        body: list[Any] = []
        else_part: Any = None
        for i, c in enumerate(n.children):
            f = n.field_name_for_child(i)
            if f == "condition" or not c.is_named:
                continue
            if c.type in ("else_clause", "elif_clause"):
                if else_part is None:
                    else_part = c
                continue
            body.append(c)
        if decided == 0:
            return self.block(body)
        if else_part is None:
            return 0
        if else_part.type == "elif_clause":
            self.assume("an `elif` chain was not interpreted: its effects are not in the model")
            return 0
        return self.block(else_part.named_children)

    def for_(self, n: Any) -> int:
        var = n.child_by_field_name("variable")
        values = [c for i, c in enumerate(n.children) if n.field_name_for_child(i) == "value"]
        body = n.child_by_field_name("body")
        if var is None or body is None:
            return 0
        items: list[str] = []
        for v in values:
            w = word(v, self.src, self.vars)
            if w is None:
                self.assume("a `for` loop over computed values was not interpreted: its effects are not in the model")
                return 0
            items.extend(w.split() if v.type in ("simple_expansion", "expansion") else [w])
        status = 0
        name = text(var, self.src)
        for item in items:
            self.vars[name] = item
            status = self.node(body)
            if self.stopped:
                break
        return status

    def redirected(self, n: Any, outer: list[tuple[str, str | None, bool]] | None = None) -> int:
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
        target = word(dest, self.src, self.vars) if dest is not None else None
        return op, target, op == ">>"

    def command(self, n: Any, redirects: list[tuple[str, str | None, bool]], stdin: str | None = None) -> int:
        prefix: dict[str, str] = {}
        argv: list[str | None] = []
        for i, c in enumerate(n.children):
            f = n.field_name_for_child(i)
            if c.type == "variable_assignment":
                name_node = c.child_by_field_name("name")
                value_node = c.child_by_field_name("value")
                if name_node is not None:
                    v = "" if value_node is None else word(value_node, self.src, self.vars)
                    if v is not None:
                        prefix[text(name_node, self.src)] = v
            elif f == "name":
                argv.append(word(c.named_children[0], self.src, self.vars) if c.named_children else text(c, self.src))
            elif f == "argument":
                argv.append(word(c, self.src, self.vars))
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
        return commands.dispatch(self, argv, env, out_target, append, stdin)

    # -- what commands may call back (commands.base.ShellContext) --------------------------------------------
    def dispatch(
        self, argv: list[str | None], env: dict[str, str], out: str | None, append: bool, stdin: str | None
    ) -> int:
        return commands.dispatch(self, argv, env, out, append, stdin)

    def path(self, p: str) -> str:
        return normpath(p, self.cwd)

    def assume(self, message: str) -> None:
        self.state.assume(self.cause.line, message)

    def run_as(self, identity: Identity, argv: list[str | None], env: dict[str, str]) -> int:
        saved = self.identity
        self.identity = identity
        try:
            return commands.dispatch(self, argv, env, None, False, None)
        finally:
            self.identity = saved

    def run_nested(self, script: str, identity: Identity | None = None) -> int:
        saved = (self.identity, self.cwd, self.errexit)
        if identity is not None:
            self.identity = identity
        try:
            status = self.run_text(script)
        finally:
            self.identity, self.cwd, self.errexit = saved
            self.stopped = False
        return status


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
    state: StageState, script: str, cause: Cause, env: Mapping[str, str], *, mounts: Sequence[str] = ()
) -> tuple[int, str | None]:
    """Interpret a shell-form RUN. Returns the script's exit status and, when it fails, why."""
    sh = Shell(state, cause, env, mounts)
    status = sh.run_text(script)
    return status, sh.error if status else None


def run_argv(
    state: StageState, argv: Sequence[str], cause: Cause, env: Mapping[str, str], *, mounts: Sequence[str] = ()
) -> tuple[int, str | None]:
    sh = Shell(state, cause, env, mounts)
    status = commands.dispatch(sh, list(argv), dict(env), None, False, None)
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
