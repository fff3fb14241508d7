"""The built-in programs of the Expression Graph page's example picker, in teaching order."""

from __future__ import annotations

from dataclasses import dataclass

from engine.expr import InputSpec


@dataclass(frozen=True)
class Example:
    key: str  # URL-safe identifier (?example=chain)
    title: str
    source: str
    values: dict[str, InputSpec]
    blurb: str


def _constant(value: str) -> InputSpec:
    return InputSpec(value, parameter=False)


# micrograd's README example (github.com/karpathy/micrograd), verbatim
MICROGRAD_README = """\
from micrograd.engine import Value

a = Value(-4.0)
b = Value(2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
print(f'{g.data:.4f}') # prints 24.7041, the outcome of this forward pass
g.backward()
print(f'{a.grad:.4f}') # prints 138.8338, i.e. the numerical value of dg/da
print(f'{b.grad:.4f}') # prints 645.5773, i.e. the numerical value of dg/db
"""


EXAMPLES: list[Example] = [
    Example(
        "partials", "Partial derivatives: z = x · y",
        "z = x * y\n",
        {"x": InputSpec("2.0"), "y": InputSpec("3.0")},
        "Each partial derivative is the other factor: ∂z/∂x = y = 3 and ∂z/∂y = x = 2.",
    ),
    Example(
        "neuron", "A neuron",
        "y = sigmoid(w1*x1 + w2*x2 + b)\n",
        {"x1": _constant("2.0"), "x2": _constant("-1.0"),
         "w1": InputSpec("0.5"), "w2": InputSpec("1.5"), "b": InputSpec("0.25")},
        "A weighted sum of the inputs plus a bias, squashed by σ. The gradient of each weight "
        "is its input times σ′(z) = σ(z)(1 − σ(z)).",
    ),
    Example(
        "chain", "The chain rule through a small network",
        "z = W @ x + b\nh = sigmoid(z)\ns = u.T @ h\n",
        {"W": InputSpec("randn(3, 2)"), "x": _constant("[[1.0], [-2.0]]"),
         "b": InputSpec("randn(3, 1)"), "u": InputSpec("randn(3, 1)")},
        "Matrices and column vectors: ∂s/∂W = (u ⊙ σ′(z)) xᵀ, each factor a link of the chain.",
    ),
    Example(
        "fanout", "Fan-out: one input, two paths",
        "z = x * y + x\n",
        {"x": InputSpec("2.0"), "y": InputSpec("3.0")},
        "x reaches z along two paths, so its gradient is the sum of both: ∂z/∂x = y + 1 = 4.",
    ),
    Example(
        "softmax_ce", "Softmax and cross-entropy on three logits",
        "p = softmax(z)            # probabilities that sum to 1\n"
        "loss = -log(sum(t * p))   # cross-entropy: −log of the true class's probability\n",
        {"z": InputSpec("[2.0, 1.0, 0.1]"), "t": _constant("[1, 0, 0]")},
        "The gradient of the logits is p − t: push up the true class, push down the others. "
        "cross_entropy(z, 0) computes the same loss in one stable step.",
    ),
    Example(
        "mlp", "A two-layer MLP on a small batch",
        "h = relu(X @ W1 + b1)      # 4 points, 2 features -> 5 hidden units\n"
        "logits = h @ W2 + b2       # -> 3 class scores per point\n"
        "loss = cross_entropy(logits, y)\n",
        {"X": _constant("randn(4, 2)"), "y": _constant("[0, 2, 1, 2]"),
         "W1": InputSpec("randn(2, 5)"), "b1": InputSpec("zeros(5)"),
         "W2": InputSpec("randn(5, 3)"), "b2": InputSpec("zeros(3)")},
        "One backward pass gives the gradient of every weight and bias, averaged over the batch.",
    ),
    Example(
        "micrograd", "micrograd's README example",
        MICROGRAD_README,
        {},
        ("Karpathy's micrograd example, pasted as written: Value(-4.0) makes a parameter, "
         "x.relu() is relu(x), and the import, print and backward lines are skipped (the page "
         "runs backward itself): g = 24.7041, ∂g/∂a = 138.8338, ∂g/∂b = 645.5773."),
    ),
]

EXAMPLES_BY_KEY: dict[str, Example] = {example.key: example for example in EXAMPLES}
