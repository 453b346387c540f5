from .pseudo_labels import (hard_heatmap_labels, hard_simcc_labels,
                            heatmap_argmax, heatmap_confidence,
                            simcc_confidence, soft_heatmap_labels,
                            soft_simcc_labels)

__all__ = [
    'heatmap_confidence', 'simcc_confidence', 'heatmap_argmax',
    'hard_heatmap_labels', 'soft_heatmap_labels', 'hard_simcc_labels',
    'soft_simcc_labels'
]
