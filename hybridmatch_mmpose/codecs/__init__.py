from .hybrid_label import HybridLabel

__all__ = ['HybridLabel']
