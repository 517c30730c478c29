"""Read a user's YAML file safely (`yaml.safe_load` only), keeping the node tree for line numbers in errors."""

from __future__ import annotations

from typing import Any

from .errors import InputError
from .inputfile import read_text


def read_yaml(path: str, what: str, with_nodes: bool = True) -> tuple[Any, Any]:
    """(data, node tree) of a YAML file; problems are InputErrors naming the file (and line). Without
    `with_nodes` the tree is None (composing it costs a second parse; callers that only need line numbers for
    errors can call `compose_nodes` then)."""
    import yaml

    text = read_text(path, what)
    try:
        data, root = _parse(text, with_nodes, libyaml=yaml.__with_libyaml__)
    except yaml.YAMLError:
        # Parsed again so that the error is worded as PyYAML's own parser words it (libyaml's words differ).
        try:
            data, root = _parse(text, with_nodes, libyaml=False)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                f"invalid YAML: {getattr(exc, 'problem', exc)}", path, mark.line + 1 if mark else None
            ) from None
    if root is not None:
        _refuse_duplicate_keys(root, path)
    return data, root


def _parse(text: str, with_nodes: bool, libyaml: bool) -> tuple[Any, Any]:
    """`yaml.safe_load`, and the node tree (composed again: constructing merges `<<` keys into the tree). With
    `libyaml`, libyaml's safe loader: the same safe constructor over libyaml's parser, the same documents, parsed
    about 20 times faster (docs/MEASUREMENTS.md "Start-up (issue 23)")."""
    import yaml

    if libyaml:
        return yaml.load(text, Loader=yaml.CSafeLoader), (
            yaml.compose(text, Loader=yaml.CSafeLoader) if with_nodes else None
        )
    return yaml.safe_load(text), (yaml.compose(text, Loader=yaml.SafeLoader) if with_nodes else None)


def _refuse_duplicate_keys(node: Any, path: str) -> None:
    """YAML loaders keep the last of two equal keys in one mapping, silently; the user meant one of them."""
    import yaml

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key, value in n.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:  # (flow style puts both on one line: compare keys, not lines)
                        raise InputError(f"duplicate key {key.value!r} (first at line {seen[key.value]})", path,
                                         key.start_mark.line + 1)  # fmt: skip
                    seen[key.value] = key.start_mark.line + 1
                stack.append(value)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def compose_nodes(path: str) -> Any:
    """The node tree of a YAML file that already parsed once (for line numbers in an error message)."""
    import yaml

    text = read_text(path, "YAML file")
    if yaml.__with_libyaml__:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)
