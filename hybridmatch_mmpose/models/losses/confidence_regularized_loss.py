"""Confidence-regularised per-keypoint loss (HybridMatch, paper Eq. 7)."""
from typing import Sequence, Tuple, Union

from mmpose.models.losses import KLDiscretLoss
from mmpose.registry import MODELS
from torch import Tensor, nn

TensorOrPair = Union[Tensor, Sequence[Tensor]]


@MODELS.register_module()
class ConfidenceRegularizedLoss(nn.Module):
    """Eq. 7 of Kang et al., *HybridMatch* (IEEE Access 2023): ``loss_weight *
    mean_{n, m}(confidence[n, m] * d(pred[n, m], target[n, m]))`` over the
    ``N`` samples and ``K`` keypoints, the confidence a soft per-keypoint
    weight instead of a threshold, detached. ``pred`` / ``target`` are
    ``(N, K, ...)`` (2-D heatmaps ``(N, K, H, W)`` or 1-D vectors ``(N, K,
    W)``; the distance is taken over everything after ``(N, K)``), or
    ``(x, y)`` pairs of 1-D vectors whose losses are summed, as MMPose's
    ``KLDiscretLoss`` takes them; ``confidence`` is ``(N, K)`` in ``[0,
    1]``: ``keypoint_weights`` for the supervised losses, the teacher's
    2-D peak ``A_conf`` for the unsupervised ones (docs/method.md says why
    both branches take the 2-D peak). ``'mse'`` with 0/1 weights equals
    ``KeypointMSELoss(use_target_weight=True)``; ``'kl'`` is MMPose's
    ``KLDiscretLoss.criterion`` with a mean instead of its sum over samples.

    Args:
        distance (str): ``'mse'`` or ``'kl'``. Defaults to ``'mse'``.
        beta (float): Inverse temperature of the softmax on ``pred`` for
            ``'kl'``. Defaults to 1.0.
        label_softmax (bool): For ``'kl'``, apply ``softmax(label_beta *
            target)`` to the target. Defaults to False.
        label_beta (float): See ``label_softmax``. Defaults to 10.0 (MMPose).
        loss_weight (float): Scale of the returned loss. Defaults to 1.0.
    """

    DISTANCES = ('mse', 'kl')

    def __init__(self,
                 distance: str = 'mse',
                 beta: float = 1.0,
                 label_softmax: bool = False,
                 label_beta: float = 10.0,
                 loss_weight: float = 1.0):
        super().__init__()
        if distance not in self.DISTANCES:
            raise ValueError(f'{self.__class__.__name__}: distance must be '
                             f'one of {self.DISTANCES}, got {distance!r}')
        self.distance = distance
        self.beta = beta
        self.label_softmax = label_softmax
        self.label_beta = label_beta
        self.loss_weight = loss_weight
        # reuse MMPose's SimCC criterion (log_softmax(beta * pred), optional
        # label softmax, KLDivLoss averaged over the bins)
        self._kl = KLDiscretLoss(
            beta=beta,
            label_softmax=label_softmax,
            label_beta=label_beta,
            use_target_weight=False)

    def per_keypoint(self, pred: Tensor, target: Tensor) -> Tensor:
        """Unweighted distance of every keypoint, shape ``(N, K)``."""
        self._check_pair(pred, target)
        N, K = pred.shape[:2]
        if self.distance == 'mse':
            return (pred - target).pow(2).flatten(2).mean(dim=-1)
        return self._kl.criterion(
            pred.reshape(N * K, -1), target.reshape(N * K, -1)).reshape(N, K)

    def forward(self, pred: TensorOrPair, target: TensorOrPair,
                confidence: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor | (Tensor, Tensor)): ``(N, K, ...)`` predictions,
                or a pair of 1-D ``(N, K, Wx)``, ``(N, K, Wy)`` predictions.
            target (Tensor | (Tensor, Tensor)): same shape(s) as ``pred``.
            confidence (Tensor): ``(N, K)`` per-keypoint weights.

        Returns:
            Tensor: scalar loss.
        """
        preds, targets = self._as_pairs(pred, target)
        loss = 0.
        for p, t in zip(preds, targets):
            self._check_pair(p, t)
            if tuple(confidence.shape) != tuple(p.shape[:2]):
                raise ValueError(
                    f'{self.__class__.__name__}: confidence must have shape '
                    f'(N, K) = {tuple(p.shape[:2])} for pred of shape '
                    f'{tuple(p.shape)}, got {tuple(confidence.shape)}')
            w = confidence.detach().to(p.dtype)
            loss = loss + (w * self.per_keypoint(p, t)).mean()
        return loss * self.loss_weight

    # ------------------------------------------------------------------
    def _as_pairs(self, pred, target) -> Tuple[Sequence[Tensor],
                                               Sequence[Tensor]]:
        pred_seq = isinstance(pred, (tuple, list))
        target_seq = isinstance(target, (tuple, list))
        if pred_seq != target_seq or (pred_seq and len(pred) != len(target)):
            raise ValueError(
                f'{self.__class__.__name__}: pred and target must both be '
                'tensors or both be sequences of the same length, got '
                f'{self._describe(pred)} and {self._describe(target)}')
        return (pred, target) if pred_seq else ((pred, ), (target, ))

    def _check_pair(self, pred: Tensor, target: Tensor) -> None:
        if pred.dim() < 3 or pred.shape != target.shape:
            raise ValueError(
                f'{self.__class__.__name__}: pred and target must have the '
                'same shape (N, K, H, W) or (N, K, W), got pred '
                f'{tuple(pred.shape)} and target {tuple(target.shape)}')

    @staticmethod
    def _describe(x) -> str:
        if isinstance(x, (tuple, list)):
            return '(' + ', '.join(str(tuple(t.shape)) for t in x) + ')'
        return str(tuple(x.shape))
