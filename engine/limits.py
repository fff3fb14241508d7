"""The engine's caps, which keep one request on the shared public instance small.

The pages' own caps (typed lists, matrix demos, gradient-check budgets) are in page_models.limits.

Exceeding a cap raises LimitError naming the cap, never a hang.
"""

from engine.errors import LimitError

MAX_SOURCE_CHARS = 4000  # characters in one expression program
MAX_STATEMENTS = 60  # statements in one program
MAX_GRAPH_NODES = 150  # nodes in an expression graph
MAX_TENSOR_ELEMENTS = 100_000  # elements in one tensor the user can ask for
MAX_NESTING = 60  # parenthesis / operator nesting depth in a program
MAX_OPERANDS = 16  # tensors joined by one concat / stack, or indices in one subscript

MAX_SAMPLES = 5000  # points in a toy dataset
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 128  # neurons in one hidden layer
MAX_EPOCHS = 500
MAX_SEEDS = 5
MAX_TRAIN_STEPS = 20_000  # minibatch updates in one training run (epochs × batches per epoch)
MAX_GRID_STEPS = 60_000  # minibatch updates summed over every run of one comparison grid
MAX_GRAPH_ELEMENTS = 1_000_000  # elements summed over every tensor of one expression graph
MAX_GRID_WEIGHT_STEPS = 50_000_000  # comparison grid: run-steps × weights of the network


def check_limit(what: str, value: int, cap: int) -> None:
    """Raise LimitError if `value` exceeds `cap`, naming what was capped."""
    if value > cap:
        raise LimitError(f"{what} is {value:,}, above the cap of {cap:,} on this public instance.")


