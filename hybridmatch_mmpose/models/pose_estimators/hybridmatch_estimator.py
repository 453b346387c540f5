"""HybridMatchEstimator: L = L_s + lambda_u * L_u with hybrid (2-D + 1-D)
pseudo-labels, on the student / EMA-teacher base."""
from typing import Tuple

import torch
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from torch import Tensor

from mmpose.registry import MODELS
from mmpose.utils.typing import OptSampleList, SampleList

from .finite_losses import NonFiniteLossError, check_finite_losses
from .plain_detector import plain_detector_config
from .semi_topdown_estimator import BRANCHES, SemiTopdownEstimator

__all__ = ['HybridMatchEstimator', 'BRANCHES', 'NonFiniteLossError',
           'check_finite_losses', 'plain_detector_config']


@MODELS.register_module()
class HybridMatchEstimator(SemiTopdownEstimator):
    r"""HybridMatch (Kang et al., IEEE Access 2023, III-A and III-C): a
    FixMatch step with a mean teacher and hybrid pseudo-labels.

    .. math::

        L = L_s + \lambda_u L_u, \quad
        L_s = L_s^{2D} + \lambda_s^{1D} L_s^{1D} \ \text{(Eq. 4)}, \quad
        L_u = L_u^{2D} + \lambda_u^{1D}(i)\, L_u^{1D} \ \text{(Eq. 5-7)}

    The student and the teacher are one top-down estimator with a
    :class:`~hybridmatch_mmpose.models.heads.HybridMatchHead`. The teacher's
    ``(heatmaps, x, y)`` of the weak view become hard (re-rendered) or soft
    targets and ``A_conf`` (``head.pseudo_labels``); ``L_u`` is
    ``head.loss_by_targets`` of the student's output on the strong view,
    weighted per keypoint by ``A_conf`` (Eq. 7), with ``lambda_u^1D`` the
    buffer :attr:`lambda_u_1d` that the hook ramps (Eq. 6). Only the
    teacher's outputs reach ``L_u``: unlabelled samples are read for their
    ``id`` (pairing) and ``flip_indices`` (flip-averaged teacher) only.
    Losses: ``sup_loss_2d``, ``sup_loss_1d``, ``sup_acc_pose``,
    ``unsup_loss_2d`` (``lambda_u L_u^2D``), ``unsup_loss_1d`` (``lambda_u
    lambda_u^1D L_u^1D``) and ``unsup_conf`` (mean ``A_conf``, logged).
    Where the paper is silent the choice is a key below; the reasons are in
    ``docs/method.md`` and ``docs/user_guides/train_test.md``.

    Args:
        semi_train_cfg (dict, optional): The keys of
            :class:`SemiTopdownEstimator` and:
            ``lambda_1d`` (end value of the ramp of Eq. 6, IV-B: 0.05),
            ``ramp_fraction`` (``K / I`` of Eq. 6, IV-B: 0.1; both read by
            the hook), ``pseudo_label`` (``'hard'``, the paper, or
            ``'soft'``, Table 7), ``hard_label_position`` (``'subpixel'``:
            at the teacher's decoded keypoint, as the ground-truth labels
            are; ``'argmax'``: the whole-cell argmax, the paper's wording),
            ``teacher_flip_test`` (pseudo-labels from the teacher's
            flip-averaged outputs), ``joint_student_forward`` (one student
            forward over the labelled and strong images together, as USB's
            FixMatch; BatchNorm then sees the joint batch).
        **kwargs: The arguments of :class:`SemiTopdownEstimator`.
    """

    DEFAULT_TRAIN_CFG = dict(
        SemiTopdownEstimator.DEFAULT_TRAIN_CFG,
        lambda_1d=0.05,
        ramp_fraction=0.1,
        pseudo_label='hard',
        hard_label_position='subpixel',
        teacher_flip_test=False,
        joint_student_forward=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # lambda_u^1D(i) of Eq. 6: set by HybridMatchHook before every
        # iteration (recomputed from runner.iter, so exact after --resume).
        # A persistent float64 buffer: saved in checkpoints as `lambda_u_1d`
        # and restored bit for bit, never touched by the EMA (it is not in
        # the student or teacher). Starts at lambda_u^1D(0) = 0.
        self.register_buffer(
            'lambda_u_1d', torch.zeros((), dtype=torch.float64))

    def check_train_cfg(self, cfg: ConfigDict) -> None:
        """The base checks, and HybridMatch's keys."""
        super().check_train_cfg(cfg)
        if cfg.pseudo_label not in ('hard', 'soft'):
            raise ValueError("semi_train_cfg.pseudo_label must be 'hard' or "
                             f"'soft', got {cfg.pseudo_label!r}")
        if cfg.hard_label_position not in ('subpixel', 'argmax'):
            raise ValueError(
                "semi_train_cfg.hard_label_position must be 'subpixel' or "
                f"'argmax', got {cfg.hard_label_position!r}")
        if cfg.lambda_1d < 0 or cfg.ramp_fraction < 0:
            raise ValueError('semi_train_cfg.lambda_1d and ramp_fraction '
                             f'must be >= 0, got {dict(cfg)}')

    def check_detector(self, model: BaseModel) -> None:
        """The head must be a HybridMatchHead (its pseudo-labels and
        target loss)."""
        if not (getattr(model, 'with_head', False) and hasattr(
                model.head, 'pseudo_labels')
                and hasattr(model.head, 'loss_by_targets')):
            raise TypeError(
                f'{self.__class__.__name__}: `detector` must be a '
                'top-down estimator with a HybridMatchHead (needs '
                '`head.pseudo_labels` and `head.loss_by_targets`)')

    def set_lambda_u_1d(self, value: float) -> None:
        """Set ``lambda_u^1D`` (called by :class:`HybridMatchHook`)."""
        self.lambda_u_1d.fill_(float(value))

    # --------------------------------------------------------------- loss
    def loss_by_branches(self, sup: tuple, weak: tuple,
                         strong: tuple) -> dict:
        """The base's two student forwards, or one joint forward
        (``joint_student_forward``) when both kinds of data are present."""
        if (self.semi_train_cfg.joint_student_forward
                and sup[0] is not None and weak[0] is not None):
            return self.loss_joint(*sup, *weak, *strong)
        return super().loss_by_branches(sup, weak, strong)

    def loss_joint(self, sup_inputs: Tensor, sup_samples: SampleList,
                   weak_inputs: Tensor, weak_samples: SampleList,
                   strong_inputs: Tensor,
                   strong_samples: SampleList) -> dict:
        """:meth:`loss_sup` and :meth:`loss_unsup` with one student
        forward over ``cat(sup_inputs, strong_inputs)``
        (``semi_train_cfg.joint_student_forward``)."""
        targets, conf = self.paired_pseudo_labels(
            weak_inputs, weak_samples, strong_inputs, strong_samples)
        outputs = self.student._forward(
            torch.cat([sup_inputs, strong_inputs]))
        n = len(sup_inputs)
        head = self.student.head
        sup = head.loss_by_outputs(tuple(o[:n] for o in outputs),
                                   sup_samples, self.student.train_cfg)
        losses = {f'sup_{k}': v for k, v in sup.items()}
        losses.update(
            self.unsup_loss(tuple(o[n:] for o in outputs), targets, conf))
        return losses

    def unsup_loss(self, outputs: tuple, targets: tuple,
                   conf: Tensor) -> dict:
        """``lambda_u (L_u^2D + lambda_u^1D L_u^1D)`` (Eq. 5, 7).

        Args:
            outputs (tuple): The student's ``(heatmaps (N, K, h, w),
                x (N, K, Wx), y (N, K, Wy))`` of the strong view.
            targets (tuple): The pseudo-labels, same shapes.
            conf (Tensor): ``(N, K)`` ``A_conf``.

        Returns:
            dict: ``unsup_loss_2d``, ``unsup_loss_1d``, ``unsup_conf``.
        """
        losses = self.student.head.loss_by_targets(
            outputs, targets, conf, loss_1d_weight=float(self.lambda_u_1d))
        lambda_u = self.lambda_u
        return dict(
            unsup_loss_2d=losses['loss_2d'] * lambda_u,
            unsup_loss_1d=losses['loss_1d'] * lambda_u,
            unsup_conf=conf.detach().mean())

    @torch.no_grad()
    def pseudo_labels(self, weak_inputs: Tensor,
                      weak_samples: OptSampleList = None
                      ) -> Tuple[tuple, Tensor]:
        """Teacher outputs on the weak view -> hybrid targets and
        ``A_conf`` (III-C-3).

        Args:
            weak_inputs (Tensor): ``(N, 3, H, W)`` weak views.
            weak_samples (list, optional): Their data samples; with
                ``teacher_flip_test`` their metainfo ``flip_indices``.

        Returns:
            tuple: ``((heatmaps, x, y) targets, A_conf (N, K))``.
        """
        self.teacher.eval()  # no-op unless someone called teacher.train()
        outputs = self.teacher._forward(weak_inputs)
        cfg = self.semi_train_cfg
        if cfg.teacher_flip_test:
            meta = weak_samples[0].metainfo if weak_samples else {}
            if 'flip_indices' not in meta:
                raise ValueError(
                    'semi_train_cfg.teacher_flip_test needs the unlabelled '
                    'samples\' metainfo `flip_indices` (PackPoseInputs '
                    'meta_keys)')
            outputs = self.student.head.flip_average(
                outputs, self.teacher._forward(weak_inputs.flip(-1)),
                meta['flip_indices'], self.teacher.test_cfg)
        return self.student.head.pseudo_labels(
            outputs, hard=cfg.pseudo_label == 'hard',
            subpixel=cfg.hard_label_position == 'subpixel')
