"""No assert that cannot fail: ``assert a >= b if c else d`` parses as
``assert (a >= b) if c else d``, so for ``not c`` it only checks that ``d`` is truthy.
Ruff has no rule for it; this scan is the rule."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
DIRS = ("lstm_jax", "tests", "experiments", "benchmarks", "notebooks", "configs")


def _always_true(test: ast.expr) -> bool:
    # Any conditional expression at the top of an assert is refused: the reader cannot
    # tell which of the two parses was meant; write ``a >= (b if c else d)`` instead.
    if isinstance(test, ast.IfExp):
        return True
    # a literal non-empty container or string is always truthy
    if isinstance(test, ast.Tuple | ast.List | ast.Set):
        return bool(test.elts)
    if isinstance(test, ast.Dict):
        return bool(test.keys)
    return isinstance(test, ast.Constant) and bool(test.value)


def find_vacuous_asserts(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assert) and _always_true(node.test)
    ]


def test_the_scan_finds_the_known_bug():
    bad = 'assert set(out) >= {"mse"} if task == "adding" else {"loss"}\n'
    assert find_vacuous_asserts(bad) == [1]
    assert find_vacuous_asserts('assert (x == 1, "msg")\nassert "text"\n') == [1, 2]
    ok = 'assert set(out) >= ({"mse"} if task == "adding" else {"loss"})\nassert x\n'
    assert find_vacuous_asserts(ok) == []


def test_no_vacuous_asserts_in_the_repo():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for d in DIRS
        for path in sorted((ROOT / d).rglob("*.py"))
        for line in find_vacuous_asserts(path.read_text(encoding="utf-8"))
    ]
    assert found == []
