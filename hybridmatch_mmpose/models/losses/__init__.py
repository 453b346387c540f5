from .confidence_regularized_loss import ConfidenceRegularizedLoss

__all__ = ['ConfidenceRegularizedLoss']
