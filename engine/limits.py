"""Caps that keep one request on the shared public instance small (one module, used by every page).

Exceeding a cap raises LimitError naming the cap, never a hang.
"""

from engine.errors import LimitError

MAX_SOURCE_CHARS = 4000  # characters in one expression program
MAX_STATEMENTS = 60  # statements in one program
MAX_GRAPH_NODES = 150  # nodes in an expression graph
MAX_TENSOR_ELEMENTS = 100_000  # elements in one tensor the user can ask for
MAX_NESTING = 60  # parenthesis / operator nesting depth in a program

MAX_SAMPLES = 5000  # points in a toy dataset
MAX_HIDDEN_LAYERS = 6
MAX_WIDTH = 128  # neurons in one hidden layer
MAX_EPOCHS = 500
MAX_SEEDS = 5
MAX_SURFACE_STEPS = 1000  # optimizer steps on a 2-D loss surface


def check_limit(what: str, value: int, cap: int) -> None:
    """Raise LimitError if `value` exceeds `cap`, naming what was capped."""
    if value > cap:
        raise LimitError(f"{what} is {value:,}, above the cap of {cap:,} on this public instance.")


# Building Blocks page
MAX_SCORES = 20  # scores (classes, candidate words) in one softmax or cross-entropy list
MAX_TYPED_NUMBERS = 1000  # numbers pasted into one list
MAX_DRAWS = 100_000  # random draws in one sampling demo
MAX_MATRIX_DIM = 8  # rows or columns of a matrix in the matrix demos
MAX_QUADRATIC_STEPS = 500  # gradient-descent steps on a quadratic

MAX_TRAIN_STEPS = 20_000  # minibatch updates in one training run (epochs × batches per epoch)
MAX_GRID_STEPS = 60_000  # minibatch updates summed over every run of one comparison grid
MAX_GRAPH_ELEMENTS = 1_000_000  # elements summed over every tensor of one expression graph
MAX_LIST_CHARS = 4000  # characters in one typed list of numbers or scores

# Expression Graph page: the gradient check runs the program twice per parameter element.
MAX_GRADCHECK_ELEMENTS = 200  # parameter elements checked by central differences
MAX_GRADCHECK_WORK = 5_000_000  # parameter elements × elements in the whole graph
MAX_GRID_WEIGHT_STEPS = 50_000_000  # comparison grid: run-steps × weights of the network
