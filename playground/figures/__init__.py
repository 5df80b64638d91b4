"""Chart builders: pure functions from plain data (NumPy arrays, dicts, strings) to Plotly figures.

Nothing here imports Streamlit or the NumPy core: the UI computes the arrays and renders what these
return, so every chart can be unit-tested without a browser. Signed quantities (δ, W, ∂J/∂W) share
one diverging scale, blue negative and orange positive, centred on 0 with a symmetric range.
"""
from .digits import digit_images
from .heatmaps import delta_frame, delta_heatmaps, matrix_frame, matrix_heatmaps
from .loss import loss_curve, loss_frames
from .network import network_diagram, network_frame
from .style import CLASS_COLOURS, DIVERGING, base_layout, symmetric_range
from .surface import confusion_matrix, predicted_vs_true, prediction_surface, surface_frame

__all__ = [
    "CLASS_COLOURS", "DIVERGING", "base_layout", "symmetric_range", "delta_heatmaps", "matrix_heatmaps", "loss_curve",
    "prediction_surface", "predicted_vs_true", "confusion_matrix", "network_diagram", "digit_images",
    "delta_frame", "matrix_frame", "loss_frames", "network_frame", "surface_frame",
]
