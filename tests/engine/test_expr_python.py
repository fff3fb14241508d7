"""Python written for micrograd, pasted into the expression language: Value(-4.0), x.relu(),
and the import / print / backward lines skipped with a note (engine.expr.program)."""

import numpy as np
import pytest

from engine import ExprError
from engine.expr import build, parse
from engine.expr.program import SkippedLine
from page_models.examples import MICROGRAD_README


def test_micrograds_readme_verbatim_gives_its_numbers():
    built = build(MICROGRAD_README)
    built.output.backward()
    assert f"{built.output.item():.4f}" == "24.7041"
    assert f"{built.inputs['a'].grad.item():.4f}" == "138.8338"
    assert f"{built.inputs['b'].grad.item():.4f}" == "645.5773"
    assert built.program.free_names == () and built.program.output_name == "g′"
    assert built.program.skipped_lines == (
        SkippedLine(1, "import"), SkippedLine(15, "print"), SkippedLine(16, "backward"),
        SkippedLine(17, "print"), SkippedLine(18, "print"))


@pytest.mark.parametrize("source", ["a = Value(-4.0)\ny = a * 3", "a = Value(  -4.0 )\ny = a * 3",
                                    "a = -4.0\ny = a * 3"])
def test_value_is_a_parameter_leaf_like_a_literal(source):
    built = build(source)
    a = built.inputs["a"]
    assert a.requires_grad and a.item() == -4.0 and built.program.statements[0].leaf
    built.output.backward()
    assert a.grad.item() == 3.0
    assert built.program.statements[0].text == source.split("\n")[0]


@pytest.mark.parametrize("method", ["relu", "tanh", "exp", "sigmoid", "log", "sum", "neg"])
def test_a_method_call_is_the_function_call(method):
    values = {"x": "[0.5, -1.5, 2.0]", "y": "[1.0, 2.0, 0.25]"}
    as_method = build(f"z = (x * y).{method}()", values)
    as_call = build(f"z = {method}(x * y)", values)
    np.testing.assert_array_equal(as_method.output.data, as_call.output.data)
    assert as_method.output.op == as_call.output.op
    as_method.output.backward(np.ones(as_method.output.shape))
    as_call.output.backward(np.ones(as_call.output.shape))
    np.testing.assert_array_equal(as_method.inputs["x"].grad, as_call.inputs["x"].grad)


def test_method_calls_chain_with_transpose_and_powers():
    built = build("y = x.T.exp().sum()**2", {"x": "[[0.0, 1.0]]"})
    assert built.output.item() == pytest.approx((1 + np.e) ** 2)


def test_skipped_lines_keep_line_numbers_of_later_errors():
    program = parse("import numpy as np\nfrom x import y\nz = x * 2  # ok\n")
    assert [s.kind for s in program.skipped_lines] == ["import", "import"]
    with pytest.raises(ExprError) as info:
        parse("import numpy\nprint('hi', \"#\")\ny = x $ 2")
    assert (info.value.line, info.value.column) == (3, 7)


def test_print_lines_with_any_text_are_skipped():
    program = parse("y = x * 2\nprint(f'{y.data:.4f} {{}}', \"it's\") # 'quote\n  print (y)")
    assert [(s.line, s.kind) for s in program.skipped_lines] == [(2, "print"), (3, "print")]
    assert len(program.statements) == 1


def test_backward_marks_its_name_as_the_output():
    program = parse("y = x * 2\ny.backward()\nz = y + 1")
    assert program.output_name == "y"
    built = build(program)
    assert built.output is built.nodes["y"]
    built.output.backward()
    assert built.inputs["x"].grad.item() == 2.0


def test_backward_takes_the_names_latest_assignment_before_it():
    assert parse("y = x * 2\ny += 1\ny.backward()\ny = y * 3").output_name == "y′"


@pytest.mark.parametrize("source", ["y = x * 2\nq.backward()", "y = x * 2\nx.backward()",
                                    "x.backward()\ny = x * 2"])
def test_backward_of_a_name_not_assigned_leaves_the_last_statement_the_output(source):
    program = parse(source)
    assert program.output_name == "y" and program.skipped_lines[0].kind == "backward"


@pytest.mark.parametrize("source", ["y = g.backward()", "g.backward(1)", "g.backward() + 1",
                                    "y = x\ng.backward", "printer(x)", "y = print(x)"])
def test_lines_that_only_look_skippable_are_parsed_and_refused(source):
    with pytest.raises(ExprError):
        parse(source)


def test_a_name_starting_like_a_skipped_word_is_an_ordinary_name():
    program = parse("imported = 1.0\nfromage = imported * 2\nprinted = fromage")
    assert program.skipped_lines == () and len(program.statements) == 3
