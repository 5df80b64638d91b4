"""Backprop Playground's NumPy core: the network, its backward pass, training and checks.

Importing this package loads NumPy only (and pandas for the data loaders, on demand): the UI
lives in ``playground.ui`` and the charts in ``playground.figures``, which nothing here imports.
"""
from .activations import ACTIVATIONS, Activation, get_activation
from .gradcheck import GradCheck, LayerCheck, gradient_check, relative_error
from .initializers import INITIALIZERS, get_initializer
from .losses import LOSSES, get_loss
from .network import DivergenceError, Network, Trace
from .training import minibatches, train_epoch

__all__ = [
    "ACTIVATIONS", "Activation", "get_activation", "GradCheck", "LayerCheck", "gradient_check",
    "relative_error", "INITIALIZERS", "get_initializer", "LOSSES", "get_loss", "DivergenceError",
    "Network", "Trace", "minibatches", "train_epoch",
]
