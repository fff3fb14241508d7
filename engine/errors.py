"""Errors a user can cause, each with a message a student understands."""


class PlaygroundError(Exception):
    """Base of every error caused by user input; pages show its message, never a traceback."""


class ShapeError(PlaygroundError):
    """Operand shapes that do not fit an op; the message names the op and the shapes."""


class LimitError(PlaygroundError):
    """A request above one of the caps in engine.limits; the message names the cap."""


class ExprError(PlaygroundError):
    """An expression that cannot be parsed or built, with the 1-based line and column."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"
