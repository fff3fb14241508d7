"""Small numerics behind the Building Blocks sections and the course's answers, by concern:
typed numbers, sampling, scaling, finite differences, matrices. NumPy and the engine only."""
