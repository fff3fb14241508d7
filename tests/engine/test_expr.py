"""The expression language: grammar, names, inputs, errors with exact positions, caps."""

import re
from pathlib import Path

import numpy as np
import pytest

from engine import ExprError, PlaygroundError, gradcheck
from engine.expr import CONSTRUCTORS, FUNCTIONS, InputSpec, build, default_spec, input_value, parse
from engine.expr.parser import Array, BinOp, Call, Name, Negate, Number, Transpose
from engine.limits import (
    MAX_GRAPH_NODES,
    MAX_NESTING,
    MAX_SOURCE_CHARS,
    MAX_STATEMENTS,
    MAX_TENSOR_ELEMENTS,
)
from engine.ops import OPS


def show(node) -> str:
    """A syntax tree, fully parenthesised."""
    if isinstance(node, Number):
        return node.text
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Array):
        return f"list{node.shape}"
    if isinstance(node, Negate):
        return f"(-{show(node.operand)})"
    if isinstance(node, Transpose):
        return f"{show(node.operand)}.T"
    if isinstance(node, BinOp):
        return f"({show(node.left)} {node.op} {show(node.right)})"
    assert isinstance(node, Call)
    args = [show(a) for a in node.args] + [f"{k.name}={k.value}" for k in node.keywords]
    return f"{node.function}({', '.join(args)})"


def tree(source: str) -> str:
    return show(parse(source).statements[-1].value)


def value(source: str, **values) -> np.ndarray:
    return build(source, values).output.data


def error(source: str, values=None) -> ExprError:
    with pytest.raises(ExprError) as info:
        build(source, values)
    return info.value


# ---- grammar ------------------------------------------------------------------------------
@pytest.mark.parametrize("source, expected", [
    ("a + b * c", "(a + (b * c))"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b / c", "((a / b) / c)"),
    ("a @ b * c", "((a @ b) * c)"),
    ("a * b @ c", "((a * b) @ c)"),
    ("-x**2", "(-(x ** 2))"),
    ("a**b**c", "(a ** (b ** c))"),
    ("2**-x", "(2 ** (-x))"),
    ("-a * b", "((-a) * b)"),
    ("(a + b) * c", "((a + b) * c)"),
    ("x.T @ y", "(x.T @ y)"),
    ("x.T**2", "(x.T ** 2)"),
    ("(a + b).T", "(a + b).T"),
    ("- - x", "(-(-x))"),
    ("sum(x * y, axis=-1, keepdims=True)", "sum((x * y), axis=-1, keepdims=True)"),
    ("reshape(x, 2, -1)", "reshape(x, 2, -1)"),
    ("-3 * x", "(-3 * x)"),
    ("- -3", "(--3)"),
    ("1e-3 + .5 + 2.5 + 1.", "(((1e-3 + .5) + 2.5) + 1.)"),
    ("[[1, 2], [3, -4]]", "list(2, 2)"),
])
def test_precedence_and_associativity_follow_python(source, expected):
    assert tree(source) == expected


@pytest.mark.parametrize("source, expected", [
    ("-x**2", -9.0), ("2**3**2", 512.0), ("2**-1", 0.5), ("10 - 4 - 3", 3.0),
    ("12 / 3 / 2", 2.0), ("1 + 2 * x", 7.0), ("(1 + 2) * x", 9.0), ("x / 2 * 4", 6.0),
])
def test_values_agree_with_python_arithmetic(source, expected):
    assert value(source, x="3") == pytest.approx(expected)


def test_a_minus_sign_before_a_number_makes_one_constant():
    built = build("y = -3 * x")
    assert built.output.parents[0].op is None and built.output.parents[0].item() == -3.0
    assert build("y = -x").output.op is OPS["neg"]


def test_statements_newlines_semicolons_comments_and_joined_lines():
    program = parse("# a comment\nx = 1; y = x + 2  # another\n\nz = (y\n   * 3)\n")
    assert [s.text for s in program.statements] == ["x = 1", "y = x + 2", "z = (y\n   * 3)"]
    assert [s.line for s in program.statements] == [2, 2, 4]
    assert build(program).output.item() == 9.0


@pytest.mark.parametrize("source, expected", [
    ("c = 1\nc += 2", 3.0), ("c = 5\nc -= 2", 3.0), ("c = 2\nc *= 4", 8.0),
    ("c = 8\nc /= 4", 2.0), ("c = 3\nc **= 2", 9.0), ("c = 1\nc += c + 1", 3.0),
])
def test_augmented_assignment(source, expected):
    assert build(source).output.item() == expected


def test_matrix_ops_transpose_and_reductions():
    values = {"W": "[[1, 2], [3, 4], [5, 6]]", "x": "[[1], [-1]]"}
    assert build("W @ x", values).output.data.tolist() == [[-1.0], [-1.0], [-1.0]]
    assert build("dot(W.T, W)", values).output.shape == (2, 2)
    out = build("sum(W, axis=0, keepdims=True)", values).output
    assert out.data.tolist() == [[9.0, 12.0]]
    assert build("mean(W)", values).output.item() == 3.5
    assert build("max(W, axis=-1)", values).output.data.tolist() == [2.0, 4.0, 6.0]
    assert build("reshape(W, 2, 3)", values).output.shape == (2, 3)
    assert build("transpose(W)", values).output.shape == (2, 3)
    assert build("softmax(W, axis=0)", values).output.data.sum(axis=0) == pytest.approx([1, 1])


def test_functions_come_from_the_op_table():
    assert set(FUNCTIONS) >= {"exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt",
                              "abs", "sum", "mean", "max", "softmax", "log_softmax",
                              "cross_entropy", "mse", "dot", "reshape", "transpose"}
    assert FUNCTIONS["dot"] is OPS["matmul"]
    assert "dropout" not in FUNCTIONS  # its mask attribute cannot be typed
    assert "dropout" in error("dropout(x)").message


@pytest.mark.parametrize("name", ["exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "sqrt",
                                  "abs"])
def test_unary_functions_match_numpy_and_pass_gradcheck(name):
    built = build(f"y = {name}(x)", {"x": "[0.5, 1.5, 2.5]"})
    special = {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "relu": lambda a: np.maximum(a, 0)}
    reference = special[name] if name in special else getattr(np, name)
    assert built.output.data == pytest.approx(reference(np.array([0.5, 1.5, 2.5])))
    assert gradcheck(built.evaluate, built.parameters).passed


def test_losses():
    assert build("cross_entropy(z, y)", {"z": "[[0, 0, 0]]", "y": "[1]"}).output.item() == (
        pytest.approx(np.log(3)))
    assert build("mse(p, t)", {"p": "[1, 2]", "t": "[1, 4]"}).output.item() == 2.0


# ---- names --------------------------------------------------------------------------------
def test_free_names_are_names_read_before_assignment_in_reading_order():
    program = parse("z = W @ x + b\nh = sigmoid(z)\ns = u.T @ h")
    assert program.free_names == ("W", "x", "b", "u")
    assert program.output_name == "s"
    assert parse("x = x + 1\ny = x * k").free_names == ("x", "k")


def test_reassigned_names_are_primed():
    program = parse("c = a\n" + "c = c + 1\n" * 6)
    assert [s.name for s in program.statements] == ["c", "c′", "c″", "c‴", "c⁗", "c₆", "c₇"]
    built = build(program, {"a": "0"})
    assert list(built.nodes) == ["c", "c′", "c″", "c‴", "c⁗", "c₆", "c₇"]
    assert built.nodes["c‴"].name == "c‴"
    assert built.nodes["c₇"] is built.output and built.output.item() == 6.0


def test_an_input_reassigned_gets_a_primed_node():
    built = build("x = x * 2", {"x": "3"})
    assert built.inputs["x"].name == "x" and built.output.name == "x′"


def test_named_intermediates_become_named_nodes():
    built = build("z = W @ x + b\nh = sigmoid(z)", {"W": "ones(3, 2)", "x": "ones(2)",
                                                    "b": "zeros(3)"})
    assert built.nodes["z"].name == "z" and built.nodes["z"].op is OPS["add"]
    assert built.nodes["z"].parents[0].name is None  # the unnamed W @ x
    assert built.nodes["h"] is built.output


def test_a_bare_last_expression_is_called_out():
    assert build("x * y").output.name == "out"
    assert parse("out = 1\nout * 2").output_name == "out′"
    assert parse("x = a + 1\nx").output_name == "x"


def test_an_alias_names_no_new_node():
    built = build("y = x", {"x": "2"})
    assert built.nodes["y"] is built.inputs["x"] and built.inputs["x"].name == "x"


def test_statement_of_every_computed_tensor():
    built = build("z = W * x + b\nout = sigmoid(z)")
    z = built.nodes["z"]
    assert built.statement_of(z).text == "z = W * x + b"
    assert built.statement_of(z.parents[0]).text == "z = W * x + b"  # the unnamed W * x
    assert built.statement_of(built.output).line == 2
    assert built.statement_of(built.inputs["W"]) is None


# ---- inputs -------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, expected", [
    ("2.5", 2.5), ("-4", -4.0), ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]), ("zeros(2)", [0, 0]),
    ("ones(1, 2)", [[1, 1]]), ("arange(3)", [0, 1, 2]), ("eye(2)", [[1, 0], [0, 1]]),
    (1.5, 1.5), ([1, 2], [1, 2]), ("[]", []),
])
def test_input_specs(spec, expected):
    assert input_value("x", spec).tolist() == expected


def test_random_specs_are_seeded_by_seed_and_name():
    assert input_value("W", "randn(3, 2)").shape == (3, 2)
    assert np.array_equal(input_value("W", "randn(3)", seed=1), input_value("W", "randn(3)", 1))
    assert not np.array_equal(input_value("W", "randn(3)"), input_value("V", "randn(3)"))
    assert not np.array_equal(input_value("W", "rand(3)", 0), input_value("W", "rand(3)", 1))
    assert np.all((input_value("W", "rand(50)") >= 0) & (input_value("W", "rand(50)") < 1))
    # An input keeps its values when the program around it changes.
    before = build("W * 2", {"W": "randn(2)"}).inputs["W"].data
    after = build("a + W", {"W": "randn(2)"}).inputs["W"].data
    assert np.array_equal(before, after)


def test_parameters_and_constants():
    built = build("y = w * x + b", {"w": "2", "x": InputSpec("3", parameter=False), "b": 1})
    assert [t.name for t in built.parameters] == ["w", "b"]
    assert not built.inputs["x"].requires_grad
    built.output.backward()
    assert built.inputs["w"].grad == 3.0 and built.inputs["x"].grad is None


def test_default_specs_are_distinct_positive_scalar_parameters():
    specs = [default_spec(i) for i in range(6)]
    assert len({s.value for s in specs}) == 6 and all(s.parameter for s in specs)
    assert all(float(s.value) > 0 for s in specs)
    built = build("z = x * y")
    assert (built.inputs["x"].item(), built.inputs["y"].item()) == (2.0, 3.0)
    built.output.backward()
    assert built.inputs["x"].grad == 3.0


def test_values_of_names_that_are_not_inputs_are_ignored():
    assert build("x + 1", {"x": "1", "stale": "randn(1000000)"}).output.item() == 2.0


def test_evaluate_reruns_with_substituted_parameters_and_keeps_random_draws():
    built = build("loss = sum((W @ x - t)**2)", {"W": "randn(2, 3)", "x": InputSpec(
        "randn(3)", False), "t": InputSpec("[1, 2]", False)})
    [W] = built.parameters
    again = built.evaluate(W)
    assert again is not built.output and again.item() == built.output.item()
    assert again.parents[0].parents[0].parents[0].parents[1] is built.inputs["x"]
    assert gradcheck(built.evaluate, built.parameters).passed
    with pytest.raises(ValueError):
        built.evaluate()


# ---- errors and their positions -------------------------------------------------------------
@pytest.mark.parametrize("source, line, column, words", [
    ("x = 1 +", 1, 8, "end of input"),
    ("x = (1 + 2", 1, 11, "expected ')'"),
    ("y = 1\nz = 2 $ 3", 2, 7, "unexpected character '$'"),
    ("y = x ^ 2", 1, 7, "use **"),
    ("y = 2x", 1, 5, "malformed number '2x'"),
    ("y = 'hello'", 1, 5, "strings"),
    ("y = x // 2", 1, 7, "//"),
    ("y = x[0]", 1, 6, "too many indices"),  # x is a scalar by default
    ("y = x[1.5]", 1, 7, "an index must be a whole number, not 1.5"),
    ("y = x[1e3]", 1, 7, "whole number"),
    ("y = x[0:1.5]", 1, 9, "a slice's bounds and step must be whole numbers, not 1.5"),
    ("y = x[0:c]", 1, 9, "written as numbers"),
    ("y = x[::-1]", 1, 9, "step must be positive"),
    ("y = x[::0]", 1, 9, "step must be positive"),
    ("y = x[]", 1, 7, "where an index was expected"),
    ("y = x[0,]", 1, 9, "where an index was expected"),
    ("y = x[0", 1, 8, "expected ']' to close the '[' at line 1, column 6"),
    ("y = x[0:1:2:3]", 1, 12, "expected ']'"),
    ("y = getitem(x)", 1, 5, "write x[0]"),
    ("y = range(3)", 1, 5, "write it in a subscript, as in P[range(4), y]"),
    ("y = x[range(c)]", 1, 7, "range takes one whole number ≥ 0"),
    ("y = x[range(2, 3)]", 1, 7, "range takes one whole number ≥ 0"),
    ("y = clamp(x, 0, 1, 2)", 1, 20, "at most 2 numbers (min, max)"),
    ("y = clamp(x, c)", 1, 14, "takes numbers (its min, max)"),
    ("y = gelu(x, approximate=erf)", 1, 25, "approximate= takes none or tanh"),
    ("y = leaky_relu(x, negative_slope=True)", 1, 34, "takes a number"),
    ("y = concat()", 1, 5, "takes 1 to 16 tensor arguments"),
    ("y = x.shape", 1, 7, "only .T"),
    ("y = (b + a).relu", 1, 13, "only .T (transpose) and method calls"),
    ("y = x.relu(1)", 1, 12, "a method call takes no arguments"),
    ("y = x.relu(", 1, 12, "expected ')' after .relu("),
    ("y = x.sum(axis=0)", 1, 11, "a method call takes no arguments"),
    ("y = x.nosuch()", 1, 7, "unknown function nosuch"),
    ("y = x.sigmoyd()", 1, 7, "did you mean sigmoid?"),
    ("y = x.mse()", 1, 7, "takes 2 tensor arguments"),
    ("y = x.randn()", 1, 5, "sizes given to randn are whole numbers"),
    ("y = x.()", 1, 7, "expected T or a method call"),
    (".relu()", 1, 1, "where a value was expected"),
    ("y = .relu()", 1, 5, "where a value was expected"),
    ("a = Value()", 1, 5, "Value(…) takes one number"),
    ("a = Value(1, 2)", 1, 5, "Value(…) takes one number"),
    ("a = Value(b)", 1, 5, "Value(…) takes one number"),
    ("a = Value(x=1)", 1, 5, "Value(…) takes one number"),
    ("y = Value(1) + x", 1, 5, "alone on the right of an assignment"),
    ("Value(2.0)", 1, 1, "alone on the right of an assignment"),
    ("y = x * 2\nprint(y", 2, 6, "closes its parenthesis on the same line"),
    ("print (f'{y:.4f}'", 1, 7, "closes its parenthesis on the same line"),
    ("y = lambda: 1", 1, 5, "keyword"),
    ("y = import", 1, 5, "keyword"),
    ("import os", 1, 1, "empty"),
    ("y = [i for i in x]", 1, 6, "numbers"),
    ("y = x y", 1, 7, "unexpected 'y'"),
    ("a = b = 1", 1, 7, "only a name can be assigned"),
    ("1 = x", 1, 3, "only a name can be assigned"),
    ("y = sigmoyd(x)", 1, 5, "did you mean sigmoid?"),
    ("y = Tanh(x)", 1, 5, "did you mean tanh?"),
    ("y = foo(x)", 1, 5, "the functions are"),
    ("y = sum(x, axes=0)", 1, 12, "did you mean axis=?"),
    ("y = exp(x, axis=0)", 1, 12, "no keyword axis"),
    ("y = sum(x, keepdims=1)", 1, 21, "True or False"),
    ("y = sum(x, axis=1.5)", 1, 17, "whole number"),
    ("y = sum(x, axis=True, axis=0)", 1, 23, "twice"),
    ("y = exp(x, 2)", 1, 12, "takes 1 tensor argument"),
    ("y = mse(x)", 1, 5, "takes 2 tensor arguments"),
    ("y = sum(x, 1)", 1, 12, "(write axis=1)"),
    ("y = reshape(x)", 1, 5, "needs the new shape"),
    ("y = sum(axis=0)", 1, 5, "takes 1 tensor argument"),
    ("y = exp + 1", 1, 5, "exp is a function"),
    ("relu = x", 1, 1, "cannot be assigned"),
    ("y = x * randn(3)", 1, 9, "inputs table"),
    ("y = True", 1, 5, "keyword value"),
    ("y = [[1, 2], [3]]", 1, 14, "same shape"),
    ("", 1, 1, "empty"),
    ("# only a comment\n", 1, 1, "empty"),
])
def test_errors_have_exact_positions(source, line, column, words):
    err = error(source)
    assert (err.line, err.column) == (line, column), err.message
    assert words in err.message
    assert str(err).startswith(f"line {line}, column {column}: ")


def test_shape_errors_name_the_op_the_shapes_and_the_operator_position():
    err = error("h = 1\nz = W @ x + b", {"W": "ones(2, 3)", "x": "ones(2, 4)"})
    assert (err.line, err.column) == (2, 7)
    assert err.message == "matmul: (2,3) @ (2,4): inner dimensions 3 and 2 differ"
    assert isinstance(err, PlaygroundError)
    err = error("y = a + sum(b, axis=5)", {"a": "ones(2)", "b": "ones(2)"})
    assert (err.line, err.column, err.message.split(":")[0]) == (1, 9, "sum")
    err = error("y = a + b", {"a": "ones(2)", "b": "ones(3)"})
    assert (err.column, err.message.split(":")[0]) == (7, "add")
    assert error("mse(p, t)", {"p": "ones(2)", "t": "ones(3)"}).message.startswith("mse:")
    assert "class indices" in error("cross_entropy(z, y)", {"z": "ones(3)", "y": "7"}).message


def test_errors_in_input_specs_name_the_input_and_point_into_the_spec():
    for spec, column, words in [("randn(3, 2x)", 10, "malformed number"),
                                ("randm(3)", 1, "a value is"), ("zeros(-1)", 7, "≥ 0"),
                                ("x + 1", 3, "a value is"), ("eye(2, 2)", 1, "takes 1"),
                                ("zeros(n=2)", 7, "no keyword"), ("", 1, "end of input")]:
        with pytest.raises(ExprError) as info:
            input_value("W", spec)
        assert info.value.message.startswith("value of W: "), spec
        assert words in info.value.message and info.value.column == column, (spec, info.value)
    with pytest.raises(ExprError, match="value of W"):
        input_value("W", [[1, 2], [3]])
    with pytest.raises(ExprError, match="value of W"):
        input_value("W", "not a number")


# ---- caps ---------------------------------------------------------------------------------
def test_source_length_is_checked_first_with_the_position_of_the_first_extra_character():
    err = error("x" * MAX_SOURCE_CHARS + "$")  # not a syntax error: the cap comes first
    assert "cap" in err.message and (err.line, err.column) == (1, MAX_SOURCE_CHARS + 1)


def test_statement_cap():
    err = error("x = 1\n" * (MAX_STATEMENTS + 1))
    assert "statements" in err.message and err.line == MAX_STATEMENTS + 1


def test_nesting_cap_without_recursion_error():
    err = error("(" * (MAX_NESTING + 5) + "x" + ")" * (MAX_NESTING + 5))
    assert "nested" in err.message
    assert build("(" * (MAX_NESTING - 2) + "x" + ")" * (MAX_NESTING - 2)).output.item() == 2.0
    assert "nested" in error("-" * 1000 + "x").message
    assert "nested" in error("x" + "**x" * 1000).message
    assert "nested" in error("[" * 1000).message
    assert "nested" in error("exp(" * 1000).message


def test_graph_node_cap_counts_literals_operators_and_inputs():
    ok = "1" + " + 1" * ((MAX_GRAPH_NODES - 1) // 2)  # a literal, then a literal and an add each
    assert len(build(ok).program.statements) == 1
    err = error(ok + " + 1")
    assert "nodes" in err.message and err.column == len(ok) + 2  # the '+' that is one too many
    err = error("y = x" + " + 1" * ((MAX_GRAPH_NODES + 1) // 2))
    assert "nodes" in err.message and err.column == 5  # inputs count once their statement is read


def test_tensor_element_caps_fail_before_allocating():
    assert "cap" in error("x", {"x": "zeros(100000, 100000)"}).message
    assert "cap" in error("x", {"x": f"eye({MAX_TENSOR_ELEMENTS})"}).message
    side = int(MAX_TENSOR_ELEMENTS ** 0.5) + 1
    values = {"a": f"ones({side}, 1)", "b": f"ones(1, {side})"}
    for source, column in [("y = a * b", 7), ("y = a @ b", 7)]:
        err = error(source, values)
        assert err.message.startswith("the number of elements in the result of") and (
            err.column == column), err.message
    err = error("x = " + " + ".join(f"a{i}" for i in range(12)), {f"a{i}": "ones(100000)"
                                                                  for i in range(12)})
    assert "whole graph" in err.message


def test_huge_numbers_give_inf_not_an_exception():
    assert value("9**9**9") == np.inf
    assert value("1e999 - 1e999") != value("1e999 - 1e999")  # nan
    assert "at most" in error("sum(x, axis=" + "9" * 40 + ")").message


# ---- safety -------------------------------------------------------------------------------
def test_the_package_never_evaluates_text_as_python():
    folder = Path(__file__).resolve().parents[2] / "engine" / "expr"
    sources = [path.read_text(encoding="utf-8") for path in folder.glob("*.py")]
    assert len(sources) >= 5
    for text in sources:
        assert not re.search(r"\b(eval|exec|compile|__import__|getattr|import ast)\b", text)


def test_python_injection_is_rejected():
    for source in ["__import__('os').system('x')", "__import__(1)", "x.__class__",
                   "().__class__.__bases__", "open(x)"]:
        with pytest.raises(ExprError):
            parse(source)


def test_constructors_are_not_functions_and_functions_are_not_constructors():
    assert not set(CONSTRUCTORS) & set(FUNCTIONS)
