import pytest
from venvlint.errors import InputError
from venvlint.resolve.expand import expand, parse_key_values

ENV = {"A": "x", "EMPTY": "", "V": "python-3.11.9", "P": "/opt/app-root"}


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("$A/b", "x/b"),
        ("${A}b", "xb"),
        ("${UNSET}", ""),
        ("${A:-d}", "x"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${UNSET-d}", "d"),
        ("${A:+y}", "y"),
        ("${EMPTY:+y}", ""),
        ("${EMPTY+y}", "y"),
        ("${UNSET:+y}", ""),
        ("'$A'", "$A"),
        ('"$A b"', "x b"),
        ("\\$A", "$A"),
        ("${V#*-}", "3.11.9"),
        ("${V##*.}", "9"),
        ("${V%.*}", "python-3.11"),
        ("${V%%.*}", "python-3"),
        ("${P}/src", "/opt/app-root/src"),
        ("$", "$"),
        ("a$1b", "ab"),
        ("${UNSET:-$A}", "x"),
    ],
)
def test_expand(word: str, expected: str) -> None:
    assert expand(word, ENV) == expected


def test_expand_backtick_escape() -> None:
    assert expand("`$A", ENV, escape="`") == "$A"
    assert expand("C:\\dir", ENV, escape="`") == "C:\\dir"


def test_required_variable_error() -> None:
    with pytest.raises(InputError, match="UNSET: must be set"):
        expand("${UNSET:?must be set}", ENV)


def test_env_pairs_see_the_environment_before_the_instruction() -> None:
    pairs = parse_key_values(["A=1", "B=$A"], "A=1 B=$A", {"A": "old"})
    assert pairs == [("A", "1"), ("B", "old")]


def test_env_legacy_form() -> None:
    assert parse_key_values(["HOME", "/opt/app-root/src", "x"], "HOME /opt/app-root/src x", {}) == [
        ("HOME", "/opt/app-root/src x")
    ]
