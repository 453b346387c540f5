"""SemiTopdownEstimator: a student and its EMA teacher around one MMPose
top-down estimator, trained on labelled and unlabelled branches."""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from torch import Tensor

from mmpose.registry import MODELS
from mmpose.utils.typing import (ForwardResults, OptConfigType,
                                 OptMultiConfig, OptSampleList, SampleList)

from ...utils.options import merge_known_options
from .finite_losses import check_finite_losses
from .plain_detector import plain_detector_config

BRANCHES = ('sup', 'unsup_teacher', 'unsup_student')


@MODELS.register_module()
class SemiTopdownEstimator(BaseModel):
    """A student trained by the optimiser and a teacher that is its
    exponential moving average, both one plain MMPose top-down estimator.

    The generic part of semi-supervised top-down training, as MMDetection's
    ``SemiBaseDetector`` is for detection: the three branches of
    ``mmdet.MultiBranchDataPreprocessor`` (``sup``, ``unsup_teacher``,
    ``unsup_student``), the check that weak and strong views pair up,
    prediction by the teacher (``semi_test_cfg.predict_on``), the frozen
    teacher, plain checkpoints loaded into both models, and
    ``L = L_s + lambda_u L_u`` with ``lambda_u`` set by the hook each
    iteration (0 during a supervised burn-in, when the unlabelled branches
    are not forwarded at all). :class:`HybridMatchHook` updates the teacher.
    On its own it is a mean teacher for any heatmap head (MMPose's
    ``HeatmapHead``): ``L_u`` is the head's loss between the student's
    heatmaps of the strong view and the teacher's of the weak view.
    Subclasses replace :meth:`pseudo_labels` and :meth:`unsup_loss`
    (:class:`HybridMatchEstimator`).

    Args:
        detector (dict, optional): The plain top-down estimator, built
            twice. Give either this or the flat ``backbone`` / ``head`` ...
        semi_train_cfg (dict, optional): Keys of :attr:`DEFAULT_TRAIN_CFG`:
            ``lambda_u`` (weight of ``L_u``), ``burn_in_iters`` (supervised
            iterations first; the hook then copies the student into the
            teacher), ``lambda_u_ramp_iters`` (linear ramp of ``lambda_u``
            after the burn-in), ``freeze_teacher`` (must be True),
            ``check_pairing`` (weak / strong views carry the same metainfo
            ``id``), ``check_finite`` (stop on a NaN / Inf loss before the
            optimiser step). Unknown keys are errors.
        semi_test_cfg (dict, optional): ``predict_on``: ``'teacher'``
            (default) or ``'student'``; ``forward_on`` /
            ``extract_feat_on`` default to ``predict_on``.
        data_preprocessor (dict, optional): Normally
            ``mmdet.MultiBranchDataPreprocessor`` wrapping MMPose's
            ``PoseDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
        backbone, neck, head, train_cfg, test_cfg, metainfo (dict, optional):
            The flat form of ``detector``.
    """

    DEFAULT_TRAIN_CFG = dict(
        lambda_u=1.0,
        burn_in_iters=0,
        lambda_u_ramp_iters=0,
        freeze_teacher=True,
        check_pairing=True,
        check_finite=True)
    DEFAULT_TEST_CFG = dict(predict_on='teacher', forward_on=None,
                            extract_feat_on=None)

    def __init__(self,
                 detector: OptConfigType = None,
                 semi_train_cfg: OptConfigType = None,
                 semi_test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None,
                 backbone: OptConfigType = None,
                 neck: OptConfigType = None,
                 head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 metainfo: Optional[dict] = None) -> None:
        detector = plain_detector_config(
            dict(detector=detector, data_preprocessor=data_preprocessor,
                 backbone=backbone, neck=neck, head=head, train_cfg=train_cfg,
                 test_cfg=test_cfg, metainfo=metainfo))
        data_preprocessor = self._scope_inner_preprocessor(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.semi_train_cfg = ConfigDict(merge_known_options(
            'semi_train_cfg', self.DEFAULT_TRAIN_CFG, semi_train_cfg))
        test_cfg_ = merge_known_options('semi_test_cfg',
                                        self.DEFAULT_TEST_CFG, semi_test_cfg)
        self.semi_test_cfg = ConfigDict(
            {k: v for k, v in test_cfg_.items() if v is not None})
        self.check_train_cfg(self.semi_train_cfg)
        for key in ('predict_on', 'forward_on', 'extract_feat_on'):
            if self.semi_test_cfg.get(key, 'teacher') not in ('teacher',
                                                               'student'):
                raise ValueError(f"semi_test_cfg.{key} must be 'teacher' or "
                                 f"'student', got {self.semi_test_cfg[key]!r}")

        self.student = MODELS.build(copy.deepcopy(detector))
        self.teacher = MODELS.build(copy.deepcopy(detector))
        for model in (self.student, self.teacher):
            self.check_detector(model)
        self.freeze(self.teacher)
        # lambda_u of this iteration (0 during the burn-in, then its ramp),
        # set by the hook before every iteration from runner.iter; None (no
        # hook, e.g. a direct call) means semi_train_cfg.lambda_u
        self.lambda_u_now: Optional[float] = None
        # True once a checkpoint holding `teacher.*` was loaded: the hook
        # then keeps that teacher instead of copying the student over it
        self.teacher_loaded = False

    def check_train_cfg(self, cfg: ConfigDict) -> None:
        """Raise on an invalid ``semi_train_cfg`` value (subclasses extend
        it for their keys)."""
        for key in ('burn_in_iters', 'lambda_u_ramp_iters'):
            if isinstance(cfg[key], bool) or not isinstance(
                    cfg[key], int) or cfg[key] < 0:
                raise ValueError(f'semi_train_cfg.{key} must be an integer '
                                 f'>= 0, got {cfg[key]!r}')
        if cfg.freeze_teacher is not True:
            raise ValueError(
                'semi_train_cfg.freeze_teacher must be True: the teacher is '
                'the EMA of the student (HybridMatchHook) and must neither '
                'be trained by the optimiser nor leave eval mode')
        if cfg.lambda_u < 0:
            raise ValueError(
                f'semi_train_cfg.lambda_u must be >= 0, got {cfg.lambda_u}')

    def check_detector(self, model: BaseModel) -> None:
        """Raise unless ``model`` is a top-down estimator with a head whose
        loss module compares heatmaps (subclasses ask for more)."""
        head = getattr(model, 'head', None)
        if not getattr(model, 'with_head', False) or not hasattr(
                head, 'loss_module'):
            raise TypeError(
                f'{self.__class__.__name__}: `detector` must be a top-down '
                'estimator with a heatmap head (MMPose\'s HeatmapHead: '
                '`head.loss_module`)')

    @staticmethod
    def _scope_inner_preprocessor(cfg: OptConfigType) -> OptConfigType:
        """``mmdet.MultiBranchDataPreprocessor`` builds its inner
        preprocessor from MMDetection's registry, where an unscoped
        ``PoseDataPreprocessor`` is found only under ``default_scope =
        'mmpose'``; give an unscoped inner type the ``mmpose.`` scope."""
        if not isinstance(cfg, dict) or not str(cfg.get('type', '')).endswith(
                'MultiBranchDataPreprocessor'):
            return cfg
        inner = cfg.get('data_preprocessor', None)
        if isinstance(inner, dict) and isinstance(inner.get('type'), str) \
                and '.' not in inner['type']:
            cfg = copy.deepcopy(cfg)
            cfg['data_preprocessor']['type'] = 'mmpose.' + inner['type']
        return cfg

    # ------------------------------------------------------------ teacher
    @staticmethod
    def freeze(model: torch.nn.Module) -> None:
        """``requires_grad=False`` and eval mode."""
        model.requires_grad_(False)
        model.eval()

    def train(self, mode: bool = True) -> 'SemiTopdownEstimator':
        """Set the student (and the preprocessor) to ``mode``; the teacher
        stays in eval mode whatever ``mode`` is (mmengine's loops call
        ``model.train()`` after each validation)."""
        super().train(mode)
        self.teacher.eval()
        return self

    def set_lambda_u(self, value: float) -> None:
        """Set this iteration's ``lambda_u`` (called by the hook: 0 during
        the burn-in, then its ramp)."""
        self.lambda_u_now = float(value)

    @property
    def lambda_u(self) -> float:
        """This iteration's weight of ``L_u``."""
        if self.lambda_u_now is None:
            return float(self.semi_train_cfg.lambda_u)
        return self.lambda_u_now

    # ------------------------------------------------------------ forward
    def forward(self,
                inputs: Union[Tensor, Dict[str, Tensor]],
                data_samples: Union[OptSampleList, Dict[str,
                                                        SampleList]] = None,
                mode: str = 'tensor') -> ForwardResults:
        """``'loss'``: multi-branch dicts; ``'predict'`` and ``'tensor'``: a
        plain MMPose batch, delegated to the teacher (or the student, per
        ``semi_test_cfg``)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        elif mode == 'predict':
            return self.predict(inputs, data_samples)
        elif mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode.')

    @property
    def test_cfg(self) -> dict:
        """The predicting model's ``test_cfg`` (the same dict object, so
        MMPose's inferencer can set ``output_heatmaps`` / ``flip_test`` on
        it as on a plain top-down estimator)."""
        return self._model('predict_on').test_cfg

    def _model(self, key: str) -> BaseModel:
        on = self.semi_test_cfg.get(
            key, self.semi_test_cfg.get('predict_on', 'teacher'))
        return self.teacher if on == 'teacher' else self.student

    def predict(self, inputs: Tensor,
                data_samples: SampleList) -> SampleList:
        """Predictions of the teacher (default) or student, as a plain
        ``TopdownPoseEstimator`` returns them."""
        return self._model('predict_on')(inputs, data_samples,
                                         mode='predict')

    def _forward(self, inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tuple[Tensor, ...]:
        """The head's raw outputs."""
        return self._model('forward_on')(inputs, data_samples, mode='tensor')

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor]:
        """Backbone (+ neck) features of the teacher (default) or student."""
        return self._model('extract_feat_on').extract_feat(inputs)

    # --------------------------------------------------------------- loss
    @staticmethod
    def _branch(inputs: dict, data_samples: dict,
                name: str) -> Tuple[Optional[Tensor], Optional[SampleList]]:
        """One branch's ``(inputs, samples)``, or ``(None, None)`` when the
        branch is missing or empty."""
        x = inputs.get(name, None)
        samples = (data_samples or {}).get(name, None)
        if isinstance(x, (list, tuple)):
            x = torch.stack(list(x)) if len(x) else None
        if x is None or x.shape[0] == 0:
            return None, None
        if samples is None or len(samples) != x.shape[0]:
            raise ValueError(
                f'branch {name!r}: {x.shape[0]} inputs but '
                f'{0 if samples is None else len(samples)} data samples')
        return x, list(samples)

    def loss(self, multi_batch_inputs: Dict[str, Tensor],
             multi_batch_data_samples: Dict[str, SampleList]) -> dict:
        """``L = L_s + lambda_u L_u`` of a multi-branch batch.

        Args:
            multi_batch_inputs (dict): ``sup`` ``(Ns, 3, H, W)``,
                ``unsup_teacher`` and ``unsup_student`` ``(Nu, 3, H, W)``
                (pixel-aligned weak and strong views); a branch may be
                missing or empty.
            multi_batch_data_samples (dict): Lists of data samples, same
                keys and lengths.

        Returns:
            dict: Weighted loss terms, ``sup_*`` and ``unsup_*`` (keys
            without ``loss`` are logged, not summed).
        """
        if not isinstance(multi_batch_inputs, dict):
            raise TypeError(
                f'{self.__class__.__name__}.loss expects the multi-branch '
                'dicts of mmdet.MultiBranchDataPreprocessor (keys '
                f'{BRANCHES}), got {type(multi_batch_inputs).__name__}')
        unknown = set(multi_batch_inputs) - set(BRANCHES)
        if unknown:
            raise KeyError(f'unknown branches {sorted(unknown)}; expected '
                           f'{BRANCHES}')
        sup = self._branch(multi_batch_inputs, multi_batch_data_samples,
                           'sup')
        weak = self._branch(multi_batch_inputs, multi_batch_data_samples,
                            'unsup_teacher')
        strong = self._branch(multi_batch_inputs, multi_batch_data_samples,
                              'unsup_student')
        if (weak[0] is None) != (strong[0] is None):
            raise ValueError(
                'unsup_teacher and unsup_student must be both present or '
                'both empty, got unsup_teacher '
                f'{"empty" if weak[0] is None else len(weak[0])} and '
                'unsup_student '
                f'{"empty" if strong[0] is None else len(strong[0])}')
        if self.lambda_u == 0 and sup[0] is not None:
            # burn-in, or lambda_u = 0: no unlabelled forward at all, so the
            # student (BatchNorm statistics included) sees labelled data only
            weak = strong = (None, None)
        losses = self.loss_by_branches(sup, weak, strong)
        if not losses:
            raise ValueError('empty training batch: no labelled and no '
                             'unlabelled samples')
        if self.semi_train_cfg.check_finite:
            check_finite_losses(losses)
        return losses

    def loss_by_branches(self, sup: tuple, weak: tuple,
                         strong: tuple) -> dict:
        """The losses of the non-empty branches, each an ``(inputs,
        samples)`` pair or ``(None, None)``: :meth:`loss_sup` and
        :meth:`loss_unsup`."""
        losses = dict()
        if sup[0] is not None:
            losses.update(self.loss_sup(*sup))
        if weak[0] is not None:
            losses.update(self.loss_unsup(*weak, *strong))
        return losses

    def loss_sup(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """``L_s``: the student's own supervised loss, prefixed ``sup_``."""
        losses = self.student.loss(inputs, data_samples)
        return {f'sup_{k}': v for k, v in losses.items()}

    def loss_unsup(self, weak_inputs: Tensor, weak_samples: SampleList,
                   strong_inputs: Tensor,
                   strong_samples: SampleList) -> dict:
        """``lambda_u L_u`` of the student's output on the strong view
        against the teacher's pseudo-labels of the weak view, prefixed
        ``unsup_``. The data samples serve the pairing check only."""
        targets, weights = self.paired_pseudo_labels(
            weak_inputs, weak_samples, strong_inputs, strong_samples)
        outputs = self.student._forward(strong_inputs)
        return self.unsup_loss(outputs, targets, weights)

    @torch.no_grad()
    def pseudo_labels(self, weak_inputs: Tensor,
                      weak_samples: OptSampleList = None
                      ) -> Tuple[Tensor, Tensor]:
        """The mean teacher's targets: its heatmaps of the weak view.

        Args:
            weak_inputs (Tensor): ``(N, 3, H, W)`` weak views.
            weak_samples (list, optional): Their data samples (unused).

        Returns:
            tuple: ``targets`` ``(N, K, h, w)`` (detached teacher heatmaps)
            and ``weights`` ``(N, K)`` of ones.
        """
        self.teacher.eval()  # no-op unless someone called teacher.train()
        heatmaps = self.teacher._forward(weak_inputs)
        if not isinstance(heatmaps, Tensor) or heatmaps.dim() != 4:
            raise TypeError(
                f'{self.__class__.__name__}: the head must return (N, K, H, '
                'W) heatmaps for the mean-teacher loss')
        return heatmaps.detach(), heatmaps.new_ones(heatmaps.shape[:2])

    def unsup_loss(self, outputs: Tensor, targets: Tensor,
                   weights: Tensor) -> dict:
        """``lambda_u`` times the student head's own loss module between its
        strong-view heatmaps ``(N, K, h, w)`` and the targets, weighted per
        keypoint by ``weights`` ``(N, K)``: ``unsup_loss_kpt``."""
        loss = self.student.head.loss_module(outputs, targets, weights)
        return dict(unsup_loss_kpt=loss * self.lambda_u)

    def paired_pseudo_labels(self, weak_inputs: Tensor,
                             weak_samples: SampleList, strong_inputs: Tensor,
                             strong_samples: SampleList) -> tuple:
        """:meth:`pseudo_labels` of the weak view, after the pairing check
        of the weak / strong views (``semi_train_cfg.check_pairing``)."""
        if self.semi_train_cfg.check_pairing:
            self.check_pairing(weak_inputs, weak_samples, strong_inputs,
                               strong_samples)
        return self.pseudo_labels(weak_inputs, weak_samples)

    @staticmethod
    def check_pairing(weak_inputs: Tensor, weak_samples: SampleList,
                      strong_inputs: Tensor,
                      strong_samples: SampleList) -> None:
        """Raise unless weak and strong views pair up one to one: same
        count, same image size, same metainfo ``id`` at each position."""
        if weak_inputs.shape != strong_inputs.shape:
            raise ValueError(
                'unsup_teacher and unsup_student inputs must have the same '
                f'shape (pixel-aligned views), got {tuple(weak_inputs.shape)}'
                f' and {tuple(strong_inputs.shape)}')
        weak_ids = [s.metainfo.get('id', None) for s in weak_samples]
        strong_ids = [s.metainfo.get('id', None) for s in strong_samples]
        if None in weak_ids or None in strong_ids:
            raise ValueError(
                'unlabelled data samples must carry metainfo `id` to check '
                'that unsup_teacher[i] and unsup_student[i] are views of one '
                f'image; got ids {weak_ids} (teacher) and {strong_ids} '
                '(student). Pack `id` (PackPoseInputs meta_keys) or set '
                'semi_train_cfg.check_pairing=False')
        if weak_ids != strong_ids:
            bad = [i for i, (a, b) in enumerate(zip(weak_ids, strong_ids))
                   if a != b]
            raise ValueError(
                'unsup_teacher / unsup_student are not paired: metainfo ids '
                f'differ at positions {bad} (teacher {weak_ids}, student '
                f'{strong_ids}); each unlabelled image must yield its weak '
                'and strong view at the same batch position')

    # --------------------------------------------------------- checkpoint
    def _load_from_state_dict(self, state_dict: dict, prefix: str,
                              local_metadata: dict, strict: bool,
                              missing_keys: List[str],
                              unexpected_keys: List[str],
                              error_msgs: List[str]) -> None:
        """Load a plain top-down checkpoint into student *and* teacher.

        A state dict without ``student.*`` / ``teacher.*`` keys is taken as
        a plain ``TopdownPoseEstimator``'s (``backbone.*``, ``head.*``):
        each key loads as ``student.<key>`` and ``teacher.<key>``
        (``data_preprocessor.*`` keys, which hold no learnt state, are
        dropped) and this module's own buffers keep their values. Our own
        checkpoints load as they are. Modifies ``state_dict`` in place:
        torch and mmengine pass each child the keys of this dict.
        """
        own = ('student.', 'teacher.')
        buffers = {f'{prefix}{name}': buf
                   for name, buf in self.named_buffers(recurse=False)}
        keys = [k for k in state_dict
                if k.startswith(prefix) and k not in buffers]
        if keys and not any(k[len(prefix):].startswith(own) for k in keys):
            for k in keys:
                value = state_dict.pop(k)
                name = k[len(prefix):]
                if name.startswith('data_preprocessor.'):
                    continue
                state_dict[f'{prefix}student.{name}'] = value
                state_dict[f'{prefix}teacher.{name}'] = value
            for key, buf in buffers.items():
                state_dict.setdefault(key, buf.clone())
        elif any(k.startswith(prefix + 'teacher.') for k in keys):
            self.teacher_loaded = True
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def load_plain_checkpoint(self, state_dict: dict,
                              strict: bool = False) -> None:
        """Load a plain top-down state dict (or one of ours) with
        mmengine's ``load_state_dict`` (logs missing / unexpected keys)."""
        from mmengine.runner.checkpoint import load_state_dict
        load_state_dict(self, state_dict, strict=strict)
