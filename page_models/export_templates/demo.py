"""A small run for the templates to train when they run on their own: 8 points, a 2-3-2 tanh
network with dropout, SGD with momentum and a step schedule. An export writes its own run instead
(page_models.export)."""

import numpy as np

TASK = "classification"
X = np.array([[0.0, 0.1], [0.2, 0.9], [1.0, 0.1], [0.9, 1.1], [0.5, 0.4], [0.1, 0.6],
              [0.8, 0.3], [0.6, 0.9]])
Y = np.array([0, 1, 1, 0, 0, 1, 1, 0])
SIZES = (2, 3, 2)
ACTIVATIONS = ("tanh",)  # after each hidden layer
DROPOUTS = (0.5,)  # dropout p after each hidden layer's activation
WEIGHTS = [  # the initial weights: W (outputs, inputs) and b of each layer
    np.array([[0.5, -0.4], [0.3, 0.8], [-0.7, 0.2]]),  # W1
    np.array([0.0, 0.0, 0.0]),  # b1
    np.array([[0.6, -0.5, 0.1], [-0.2, 0.4, 0.7]]),  # W2
    np.array([0.0, 0.0]),  # b2
]
EPOCHS, BATCH_SIZE, SEED = 3, 4, 0
DIVERGENCE_FACTOR = 1000.0  # engine.train.DIVERGENCE_FACTOR
OPTIMIZER = "SGD"  # the torch.optim class; its rule in NumPy: rules.sgd
H = {"lr": 0.5, "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
SCHEDULER = "StepLR"  # the torch.optim.lr_scheduler class, or None; in NumPy: rules.steplr
S = {"step_size": 2, "gamma": 0.5}  # the schedule's settings
