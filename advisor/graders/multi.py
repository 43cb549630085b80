"""``multi``: sub-graders combined by a formula, evaluated safely.

The formula (OpenAI's ``calculate_output``, e.g. ``"0.7 * accuracy + 0.3 *
style"``) is parsed with :mod:`ast` and evaluated by walking a whitelist of node
types: numbers, the sub-graders' names, + - * / // % **, unary minus, comparisons,
conditional expressions and a few math functions.  Nothing is ever passed to
``eval``; attribute access, subscripts, calls of anything else and keywords are
rejected when the grader is loaded.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import Field

from advisor.errors import GraderError
from advisor.graders.base import Grader, GraderSpec, Sample

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
FUNCTIONS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "mean": lambda *xs: sum(xs) / len(xs),
    "clip": lambda x, lo, hi: min(max(x, lo), hi),
}
_MAX_POWER = 64  # 10 ** 10 ** 10 would hang the process


class Formula:
    """A parsed, checked arithmetic formula over named variables."""

    def __init__(self, text: str, names: set[str]) -> None:
        self.text = text
        try:
            self._tree = ast.parse(text, mode="eval").body
        except SyntaxError as exc:
            raise GraderError.from_catalog(
                "core.graders.not_a_formula", formula=repr(text)
            ) from exc
        self._check(self._tree, names)

    def _check(self, node: ast.AST, names: set[str]) -> None:
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                raise GraderError.from_catalog("core.graders.numbers_only", formula=repr(self.text))
        elif isinstance(node, ast.Name):
            if node.id not in names:
                raise GraderError.from_catalog(
                    "core.graders.no_sub_grader",
                    hint_key="core.graders.no_sub_grader_hint",
                    formula=repr(self.text),
                    name=repr(node.id),
                    names=", ".join(sorted(names)),
                )
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            self._check(node.left, names)
            self._check(node.right, names)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            self._check(node.operand, names)
        elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            for child in [node.left, *node.comparators]:
                self._check(child, names)
        elif isinstance(node, ast.IfExp):
            for child in (node.test, node.body, node.orelse):
                self._check(child, names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS
            and not node.keywords
        ):
            for arg in node.args:
                self._check(arg, names)
        else:
            raise GraderError.from_catalog(
                "core.graders.not_allowed",
                hint_key="core.graders.not_allowed_hint",
                formula=repr(self.text),
                node=type(node).__name__,
                functions=", ".join(FUNCTIONS),
            )

    def evaluate(self, values: Mapping[str, float]) -> float:
        try:
            return float(self._eval(self._tree, values))
        except (ArithmeticError, ValueError) as exc:
            raise GraderError.from_catalog(
                "core.graders.formula_failed", formula=repr(self.text), error=exc
            ) from exc

    def _eval(self, node: ast.AST, values: Mapping[str, float]) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)  # type: ignore[arg-type]  # numbers only, see _check
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            left, right = self._eval(node.left, values), self._eval(node.right, values)
            if isinstance(node.op, ast.Pow) and abs(right) > _MAX_POWER:
                raise ValueError("exponent too large")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, values)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, values)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self._eval(right_node, values)
                if not _COMPARE[type(op)](left, right):
                    return 0.0
                left = right
            return 1.0
        if isinstance(node, ast.IfExp):
            test = self._eval(node.test, values)
            return self._eval(node.body if test else node.orelse, values)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return FUNCTIONS[node.func.id](*(self._eval(a, values) for a in node.args))


class MultiSpec(GraderSpec):
    type: Literal["multi"] = "multi"
    graders: dict[str, dict[str, Any]] = Field(min_length=1)
    calculate_output: str


class MultiGrader(Grader):
    type = "multi"
    spec: MultiSpec

    def __init__(self, spec: MultiSpec, children: dict[str, Grader]) -> None:
        super().__init__(spec)
        self.children = children
        self.formula = Formula(spec.calculate_output, set(children))

    def score(self, sample: Sample, item: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        results = {name: g.grade(sample, item) for name, g in self.children.items()}
        value = self.formula.evaluate({name: r.score for name, r in results.items()})
        return value, {"graders": {n: r.model_dump() for n, r in results.items()}}
