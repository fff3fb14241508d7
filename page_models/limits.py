"""The pages' own caps (the engine's are in engine.limits): each keeps one request on the shared
public instance small. Exceeding one is a LimitError naming it (engine.limits.check_limit).
"""

# Building Blocks page
MAX_SCORES = 20  # scores (classes, candidate words) in one softmax or cross-entropy list
MAX_TYPED_NUMBERS = 1000  # numbers pasted into one list
MAX_DRAWS = 100_000  # random draws in one sampling demo
MAX_MATRIX_DIM = 8  # rows or columns of a matrix in the matrix demos
MAX_QUADRATIC_STEPS = 500  # gradient-descent steps on a quadratic
MAX_LIST_CHARS = 4000  # characters in one typed list of numbers or scores

# Expression Graph page: the gradient check runs the program twice per parameter element.
MAX_GRADCHECK_ELEMENTS = 200  # parameter elements checked by central differences
MAX_GRADCHECK_WORK = 5_000_000  # parameter elements × elements in the whole graph

# Optimizer Lab
MAX_SURFACE_STEPS = 1000  # optimizer steps on a 2-D loss surface

# Your data (page_models.own_data): CSV, drawn points, formula datasets; their share links.
MAX_CSV_CHARS = 200_000  # characters in one pasted or uploaded CSV
MAX_OWN_POINTS = 2000  # points in a CSV or formula dataset
MAX_OWN_CLASSES = 8  # classes in a CSV dataset (the class label column)
MAX_ABS_COORD = 1_000_000  # largest |value| of a coordinate (x, y or a feature)
MAX_LINK_POINTS = 300  # points a share link carries; drawn datasets stay below it
