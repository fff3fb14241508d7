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
        "mlp", "A two-layer MLP on a minibatch of four",
        "Z1 = X @ W1.T + b1         # 4 points, 2 features -> 5 hidden units; W is (out, in)\n"
        "H = relu(Z1)\n"
        "Z2 = H @ W2.T + b2         # -> 3 class scores per point\n"
        "loss = -mean(log_softmax(Z2)[range(4), y])  # each point's log-probability of its "
        "class\n",
        {"X": _constant("randn(4, 2)"), "y": _constant("[0, 2, 1, 2]"),
         "W1": InputSpec("randn(5, 2)"), "b1": InputSpec("zeros(5)"),
         "W2": InputSpec("randn(3, 5)"), "b2": InputSpec("zeros(3)")},
        "Softmax cross-entropy written out: row i of log_softmax(Z2) picks column y[i], as "
        "in PyTorch (cross_entropy(Z2, y) is the same loss). One "
        "backward pass gives every weight's gradient, averaged over the batch; each weight "
        "matrix is (out, in), as in PyTorch.",
    ),
    Example(
        "layernorm", "Layer norm, written out",
        "mu = mean(x, axis=-1, keepdims=True)\n"
        "d = x - mu\n"
        "s2 = var(d, axis=-1, correction=0, keepdims=True)  # ÷ n\n"
        "xhat = d / sqrt(s2 + 1e-5)\n"
        "y = gamma * xhat + beta\n",
        {"x": InputSpec("[[1.0, 2.0, 4.0, 7.0], [0.5, -1.0, 0.0, 2.5]]"),
         "gamma": InputSpec("[1.0, 0.5, 2.0, -1.0]"), "beta": InputSpec("zeros(4)")},
        "Each row is centred and scaled to variance 1, then stretched by γ and shifted by β. "
        "The gradient of x flows through the mean and the variance too, so it sums to 0 "
        "along each row.",
    ),
    Example(
        "attention", "Scaled dot-product attention on three tokens",
        "Q = X @ Wq.T   # a query, a key and a value per token (rows of X)\n"
        "K = X @ Wk.T\n"
        "V = X @ Wv.T\n"
        "S = Q @ K.T / sqrt(d)      # every query against every key, scaled by √d\n"
        "A = softmax(S, axis=-1)    # attention weights: each row sums to 1\n"
        "out = A @ V                # each token: its weights' mix of the values\n",
        {"X": _constant("[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]"),
         "Wq": InputSpec("randn(2, 2)"), "Wk": InputSpec("randn(2, 2)"),
         "Wv": InputSpec("randn(2, 2)"), "d": _constant("2.0")},
        "softmax(Q Kᵀ / √d) V: the weights A say how much each token attends to each other "
        "token. The gradient reaches Wq and Wk only through the softmax.",
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
