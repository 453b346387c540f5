"""HybridMatchEstimator: student + EMA teacher, L = L_s + lambda_u * L_u."""
import copy
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from torch import Tensor

from mmpose.registry import MODELS
from mmpose.utils.typing import (ForwardResults, OptConfigType,
                                 OptMultiConfig, OptSampleList, SampleList)

from ...utils.options import merge_known_options

BRANCHES = ('sup', 'unsup_teacher', 'unsup_student')


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or Inf (see ``semi_train_cfg.check_finite``)."""


def check_finite_losses(losses: Dict[str, Tensor]) -> None:
    """Raise :class:`NonFiniteLossError` naming the first non-finite loss
    term and the iteration (from mmengine's message hub, 1-based as in the
    log; ``?`` outside a Runner)."""
    for name, value in losses.items():
        if 'loss' in name and not torch.isfinite(value).all():
            it = MessageHub.get_current_instance().get_info('iter')
            it = '?' if it is None else it + 1
            raise NonFiniteLossError(
                f'iteration {it}: loss term `{name}` is '
                f'{value.detach().float().sum().item()}; training stopped '
                'before the optimizer step, so the weights and the '
                'checkpoints saved so far are unchanged. Resume from the '
                'last checkpoint (`--resume`) with a lower learning rate '
                '(optim_wrapper.optimizer.lr), and check the data (boxes, '
                'keypoints) of this run.')


_FLAT_KEYS = ('backbone', 'neck', 'head', 'train_cfg', 'test_cfg',
              'metainfo')


def plain_detector_config(model_cfg: dict) -> dict:
    """The plain top-down config inside a HybridMatch model config.

    Args:
        model_cfg (dict): ``cfg.model`` of a HybridMatch config, flat
            (``backbone`` / ``head`` / ... at the top level) or nested
            (``detector=dict(...)``).

    Returns:
        dict: A new ``TopdownPoseEstimator`` config (``type``, ``backbone``,
        ``neck``, ``head``, ``train_cfg``, ``test_cfg``, ``metainfo`` as
        given) whose ``data_preprocessor`` is the inner preprocessor of the
        semi model's ``mmdet.MultiBranchDataPreprocessor`` (when the plain
        config has none of its own).
    """
    flat = {k: model_cfg.get(k) for k in _FLAT_KEYS
            if model_cfg.get(k) is not None}
    detector = model_cfg.get('detector')
    if detector is not None and flat:
        raise ValueError(
            'HybridMatchEstimator: give the plain model either as '
            '`detector=dict(...)` or flat (`backbone`, `head`, ...), not '
            f'both (got detector and {sorted(flat)})')
    if detector is None:
        if 'backbone' not in flat or 'head' not in flat:
            raise ValueError(
                'HybridMatchEstimator: the model config needs `backbone` and '
                '`head` (or a nested `detector=dict(...)`)')
        detector = dict(type='TopdownPoseEstimator', **flat)
    plain = copy.deepcopy(dict(detector))
    outer = model_cfg.get('data_preprocessor')
    if plain.get('data_preprocessor') is None and isinstance(outer, dict):
        inner = outer.get('data_preprocessor') if str(outer.get(
            'type', '')).endswith('MultiBranchDataPreprocessor') else outer
        if inner is not None:
            plain['data_preprocessor'] = copy.deepcopy(dict(inner))
    return plain


@MODELS.register_module()
class HybridMatchEstimator(BaseModel):
    r"""Semi-supervised top-down estimator of HybridMatch (Kang et al., IEEE
    Access 2023, Sec. III-A and III-C), a FixMatch step with a mean teacher.

    Two copies of one plain MMPose ``TopdownPoseEstimator`` (with
    :class:`~hybridmatch_mmpose.models.heads.HybridMatchHead`): the
    *student* ``f_theta`` is trained by the optimiser, the *teacher*
    ``f_phi`` is its exponential moving average, updated by
    :class:`~hybridmatch_mmpose.engine.hooks.HybridMatchHook`. One training
    iteration (:meth:`loss`):

    .. math::

        L = L_s + \lambda_u L_u, \qquad
        L_s = L_s^{2D} + \lambda_s^{1D} L_s^{1D} \ \text{(Eq. 4)}, \qquad
        L_u = L_u^{2D} + \lambda_u^{1D}(i)\, L_u^{1D} \ \text{(Eq. 5-7)}

    - ``L_s``: ``student.loss`` on the labelled branch ``sup`` (the head's
      supervised loss, ``lambda_s^1D`` = the head's ``loss_1d_weight``).
    - Pseudo-labels: the teacher (eval mode, ``torch.no_grad``) on the weak
      view ``unsup_teacher``; ``student.head.pseudo_labels`` turns its
      ``(heatmaps, x, y)`` into hard (argmax re-rendered as Gaussians) or
      soft targets and ``A_conf`` (peak of each teacher 2-D heatmap).
    - ``L_u``: ``student.head.loss_by_targets`` on the student's output for
      the strong view ``unsup_student`` against those targets, weighted per
      keypoint by ``A_conf`` (Eq. 7), with ``lambda^1D`` =
      :attr:`lambda_u_1d`, the current value of the ramp of Eq. 6.

    Only the teacher's outputs reach the unsupervised loss: unlabelled data
    samples are read for their metainfo ``id`` (pairing check) and nothing
    else, so any ground truth they might carry never enters a loss.

    Returned losses (each already weighted, so that mmengine's
    ``parse_losses``, which sums the keys containing ``'loss'``, gives ``L``):
    ``sup_loss_2d``, ``sup_loss_1d`` (= ``lambda_s^1D L_s^1D``),
    ``sup_acc_pose`` (PCK of the 2-D maps, not a loss), ``unsup_loss_2d``
    (= ``lambda_u L_u^2D``), ``unsup_loss_1d`` (= ``lambda_u
    lambda_u^1D(i) L_u^1D``) and ``unsup_conf`` (mean ``A_conf``, detached,
    not a loss). A batch without labelled (unlabelled) samples has no
    ``sup_*`` (``unsup_*``) entries.

    Batch format (MMDetection's semi-supervised convention, produced by
    ``mmdet.MultiBranchDataPreprocessor``): for training ``inputs =
    dict(sup=(Ns, 3, H, W), unsup_teacher=(Nu, 3, H, W),
    unsup_student=(Nu, 3, H, W))`` and ``data_samples`` a dict of lists with
    the same keys; ``unsup_teacher[i]`` and ``unsup_student[i]`` are
    pixel-aligned views of one image with the same metainfo ``id``. A
    missing or empty branch is skipped. Validation / test batches are plain
    MMPose batches, predicted by the teacher (``semi_test_cfg.predict_on``).

    Teacher mode: with ``freeze_teacher=True`` the teacher has
    ``requires_grad=False`` and stays in eval mode *always*: :meth:`train`
    is overridden, since mmengine's loops call ``runner.model.train()``
    (every epoch and after each validation), which would otherwise put the
    teacher's BatchNorm layers back into batch-statistics mode.

    Checkpoints hold ``student.*``, ``teacher.*`` and the buffer
    ``lambda_u_1d``. A plain MMPose top-down checkpoint (keys
    ``backbone.*``, ``head.*``) loads into both student and teacher
    (:meth:`_load_from_state_dict`, as MMDetection's ``SemiBaseDetector``).

    Config forms: the student and the teacher are the same plain top-down
    estimator (``TopdownPoseEstimator`` with a ``HybridMatchHead``), given
    either *flat*, as the stock MMPose model dict with ``type`` changed
    (``backbone``, ``neck``, ``head``, ``train_cfg``, ``test_cfg`` at the top
    level, as our configs do, so ``mmpose.apis.init_model`` and MMPose's
    tools that read ``cfg.model.backbone`` work on a HybridMatch config), or
    nested as ``detector=dict(type='TopdownPoseEstimator', ...)`` as
    MMDetection's ``SemiBaseDetector``. :func:`plain_detector_config` turns
    either into the plain config.

    Args:
        detector (dict, optional): Config of the plain top-down estimator
            built twice. Give either this or ``backbone`` / ``head``.
        semi_train_cfg (dict, optional): Keys (defaults in
            :attr:`DEFAULT_TRAIN_CFG`):

            - ``lambda_u`` (float): weight of ``L_u`` (Eq. 3). The paper
              does not give it; 1.0, FixMatch's value (the paper builds on
              FixMatch), with the ``A_conf`` weighting of Eq. 7 already
              down-weighting unreliable pseudo-labels, and ``L_u`` being the
              same distance on the same scale as ``L_s``.
            - ``lambda_1d`` (float): ``lambda^1D``, the end value of the
              ramp of Eq. 6 (IV-B: 0.05).
            - ``ramp_fraction`` (float): ``K / I`` of Eq. 6 (IV-B: 0.1).
              ``lambda_1d`` and ``ramp_fraction`` are read by the hook,
              which owns the ramp and sets :attr:`lambda_u_1d`.
            - ``pseudo_label`` (str): ``'hard'`` (the paper) or ``'soft'``
              (Table 7 alternative).
            - ``hard_label_position`` (str): where hard labels are drawn:
              ``'subpixel'`` (default), each representation's keypoint as
              the codec decodes it, since the ground-truth labels are
              sub-pixel too; ``'argmax'``: the whole-cell argmax, the
              paper's literal wording (the same at 64x64 maps, coarser at
              the 16x16 maps of a 64x64 CPU input).
            - ``burn_in_iters`` (int): iterations of supervised training
              before the unlabelled loss starts; at that iteration the hook
              copies the student into the teacher, so pseudo-labels start
              from a model trained on the labelled set (Unbiased Teacher's
              burn-in; the paper gives none). While the unlabelled weight is
              0 the unlabelled branches are not forwarded at all. Defaults
              to 0 (the paper).
            - ``teacher_flip_test`` (bool): pseudo-labels from the teacher's
              flip-averaged outputs (the weak view and its mirror image),
              as its own test-time predictions are made (``test_cfg``
              ``flip_test``); one more teacher forward per iteration.
              Defaults to False (the paper does not say).
            - ``lambda_u_ramp_iters`` (int): after the burn-in, ``lambda_u``
              rises linearly from 0 over this many iterations (0: at once,
              the paper). The ramp of Eq. 6 also starts at the burn-in.
            - ``freeze_teacher`` (bool): must be True (see above): the
              teacher is an EMA and is never trained by the optimiser.
            - ``check_pairing`` (bool): require ``unsup_teacher[i]`` and
              ``unsup_student[i]`` to carry the same metainfo ``id``.
            - ``joint_student_forward`` (bool): one student forward over
              the labelled and the strong images together (as USB's
              FixMatch concatenates its batches) instead of one forward per
              branch; the student's BatchNorm then normalises the joint
              batch. The losses are the same functions of the outputs; on
              CPU two half-size forwards cost about 20 % more than one
              (``tools/benchmarks/speed_memory.py``). Defaults to False
              (one forward per branch, as MMDetection's ``SemiBaseDetector``).
            - ``check_finite`` (bool): stop with
              :class:`NonFiniteLossError` (naming the iteration and the
              loss term) when a loss term is NaN or Inf, *before* the
              backward pass and the optimiser step, so the weights and every
              checkpoint saved so far stay as they were. Defaults to True.
        semi_test_cfg (dict, optional): ``predict_on``: ``'teacher'``
            (default) or ``'student'``; ``forward_on`` / ``extract_feat_on``
            (for ``mode='tensor'`` / :meth:`extract_feat`) default to
            ``predict_on``.
        data_preprocessor (dict, optional): Normally
            ``mmdet.MultiBranchDataPreprocessor`` wrapping MMPose's
            ``PoseDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
        backbone, neck, head, train_cfg, test_cfg, metainfo (dict, optional):
            The flat form of ``detector``: the arguments of
            ``TopdownPoseEstimator``.
    """

    DEFAULT_TRAIN_CFG = dict(
        lambda_u=1.0,
        lambda_1d=0.05,
        ramp_fraction=0.1,
        pseudo_label='hard',
        hard_label_position='subpixel',
        burn_in_iters=0,
        lambda_u_ramp_iters=0,
        teacher_flip_test=False,
        freeze_teacher=True,
        check_pairing=True,
        joint_student_forward=False,
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
        cfg = self.semi_train_cfg
        if cfg.pseudo_label not in ('hard', 'soft'):
            raise ValueError("semi_train_cfg.pseudo_label must be 'hard' or "
                             f"'soft', got {cfg.pseudo_label!r}")
        if cfg.hard_label_position not in ('subpixel', 'argmax'):
            raise ValueError(
                "semi_train_cfg.hard_label_position must be 'subpixel' or "
                f"'argmax', got {cfg.hard_label_position!r}")
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
        if cfg.lambda_u < 0 or cfg.lambda_1d < 0 or cfg.ramp_fraction < 0:
            raise ValueError('lambda_u, lambda_1d and ramp_fraction must be '
                             f'>= 0, got {dict(cfg)}')
        for key in ('predict_on', 'forward_on', 'extract_feat_on'):
            if self.semi_test_cfg.get(key, 'teacher') not in ('teacher',
                                                               'student'):
                raise ValueError(f"semi_test_cfg.{key} must be 'teacher' or "
                                 f"'student', got {self.semi_test_cfg[key]!r}")

        self.student = MODELS.build(copy.deepcopy(detector))
        self.teacher = MODELS.build(copy.deepcopy(detector))
        for name in ('student', 'teacher'):
            model = getattr(self, name)
            if not (getattr(model, 'with_head', False) and hasattr(
                    model.head, 'pseudo_labels')
                    and hasattr(model.head, 'loss_by_targets')):
                raise TypeError(
                    f'{self.__class__.__name__}: `detector` must be a '
                    'top-down estimator with a HybridMatchHead (needs '
                    '`head.pseudo_labels` and `head.loss_by_targets`)')
        self.freeze(self.teacher)

        # lambda_u^1D(i) of Eq. 6: set by HybridMatchHook before every
        # iteration (recomputed from runner.iter, so exact after --resume).
        # A persistent float64 buffer: saved in checkpoints as `lambda_u_1d`
        # and restored bit for bit, never touched by the EMA (it is not in
        # the student or teacher). Starts at lambda_u^1D(0) = 0.
        self.register_buffer(
            'lambda_u_1d', torch.zeros((), dtype=torch.float64))
        # lambda_u of this iteration (0 during the burn-in, then its ramp):
        # set by HybridMatchHook before every iteration, from runner.iter;
        # None (no hook, e.g. a direct call) means semi_train_cfg.lambda_u.
        self.lambda_u_now: Optional[float] = None
        # True once a checkpoint holding `teacher.*` was loaded: the hook
        # then keeps that teacher instead of copying the student over it.
        self.teacher_loaded = False

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

    def train(self, mode: bool = True) -> 'HybridMatchEstimator':
        """Set the student (and the preprocessor) to ``mode``; the teacher
        stays in eval mode whatever ``mode`` is."""
        super().train(mode)
        self.teacher.eval()
        return self

    def set_lambda_u_1d(self, value: float) -> None:
        """Set ``lambda_u^1D`` (called by :class:`HybridMatchHook`)."""
        self.lambda_u_1d.fill_(float(value))

    def set_lambda_u(self, value: float) -> None:
        """Set this iteration's ``lambda_u`` (called by
        :class:`HybridMatchHook`: 0 during the burn-in, then its ramp)."""
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
        """``'loss'``: multi-branch dicts (see class doc); ``'predict'`` and
        ``'tensor'``: a plain MMPose batch, delegated to the teacher (or the
        student, per ``semi_test_cfg``)."""
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
        ``TopdownPoseEstimator`` returns them (flip test per the detector's
        ``test_cfg``)."""
        return self._model('predict_on')(inputs, data_samples,
                                         mode='predict')

    def _forward(self, inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tuple[Tensor, ...]:
        """The head's raw ``(heatmaps, simcc_x, simcc_y)``."""
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
        """``L = L_s + lambda_u * L_u`` from a multi-branch batch (class
        doc). Returns the weighted loss terms and ``sup_acc_pose``,
        ``unsup_conf``."""
        if not isinstance(multi_batch_inputs, dict):
            raise TypeError(
                f'{self.__class__.__name__}.loss expects the multi-branch '
                'dicts of mmdet.MultiBranchDataPreprocessor (keys '
                f'{BRANCHES}), got {type(multi_batch_inputs).__name__}')
        unknown = set(multi_batch_inputs) - set(BRANCHES)
        if unknown:
            raise KeyError(f'unknown branches {sorted(unknown)}; expected '
                           f'{BRANCHES}')
        losses = dict()
        sup_x, sup_samples = self._branch(multi_batch_inputs,
                                          multi_batch_data_samples, 'sup')
        weak_x, weak_samples = self._branch(
            multi_batch_inputs, multi_batch_data_samples, 'unsup_teacher')
        strong_x, strong_samples = self._branch(
            multi_batch_inputs, multi_batch_data_samples, 'unsup_student')
        if (weak_x is None) != (strong_x is None):
            raise ValueError(
                'unsup_teacher and unsup_student must be both present or '
                f'both empty, got unsup_teacher '
                f'{"empty" if weak_x is None else len(weak_x)} and '
                f'unsup_student '
                f'{"empty" if strong_x is None else len(strong_x)}')
        if self.lambda_u == 0 and sup_x is not None:
            # burn-in, or lambda_u = 0: no unlabelled forward at all, so the
            # student (BatchNorm statistics included) sees labelled data only
            weak_x = strong_x = None
        if (self.semi_train_cfg.joint_student_forward and sup_x is not None
                and weak_x is not None):
            losses.update(
                self.loss_joint(sup_x, sup_samples, weak_x, weak_samples,
                                strong_x, strong_samples))
        else:
            if sup_x is not None:
                losses.update(self.loss_sup(sup_x, sup_samples))
            if weak_x is not None:
                losses.update(
                    self.loss_unsup(weak_x, weak_samples, strong_x,
                                    strong_samples))
        if not losses:
            raise ValueError('empty training batch: no labelled and no '
                             'unlabelled samples')
        if self.semi_train_cfg.check_finite:
            check_finite_losses(losses)
        return losses

    def loss_joint(self, sup_inputs: Tensor, sup_samples: SampleList,
                   weak_inputs: Tensor, weak_samples: SampleList,
                   strong_inputs: Tensor,
                   strong_samples: SampleList) -> dict:
        """:meth:`loss_sup` and :meth:`loss_unsup` with one student
        forward over ``cat(sup_inputs, strong_inputs)``
        (``semi_train_cfg.joint_student_forward``)."""
        targets, conf = self._paired_pseudo_labels(
            weak_inputs, weak_samples, strong_inputs, strong_samples)
        outputs = self.student._forward(
            torch.cat([sup_inputs, strong_inputs]))
        n = len(sup_inputs)
        head = self.student.head
        sup = head.loss_by_outputs(tuple(o[:n] for o in outputs),
                                   sup_samples, self.student.train_cfg)
        losses = {f'sup_{k}': v for k, v in sup.items()}
        losses.update(
            self._weighted_unsup(tuple(o[n:] for o in outputs), targets,
                                 conf))
        return losses

    def _weighted_unsup(self, outputs: tuple, targets: tuple,
                        conf: Tensor) -> dict:
        """``lambda_u * (L_u^2D + lambda_u^1D L_u^1D)`` (Eq. 5, 7) of the
        student's outputs on the strong view, prefixed ``unsup_``."""
        losses = self.student.head.loss_by_targets(
            outputs, targets, conf, loss_1d_weight=float(self.lambda_u_1d))
        lambda_u = self.lambda_u
        return dict(
            unsup_loss_2d=losses['loss_2d'] * lambda_u,
            unsup_loss_1d=losses['loss_1d'] * lambda_u,
            unsup_conf=conf.detach().mean())

    def loss_sup(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """``L_s`` (Eq. 4): the student's own supervised loss, prefixed
        ``sup_``."""
        losses = self.student.loss(inputs, data_samples)
        return {f'sup_{k}': v for k, v in losses.items()}

    @torch.no_grad()
    def pseudo_labels(self, weak_inputs: Tensor,
                      weak_samples: OptSampleList = None
                      ) -> Tuple[tuple, Tensor]:
        """Teacher outputs on the weak view -> ``(targets, A_conf)``
        (III-C-3). Reads the images, and with ``teacher_flip_test`` the
        samples' ``flip_indices`` (data set metainfo, no label)."""
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

    def loss_unsup(self, weak_inputs: Tensor, weak_samples: SampleList,
                   strong_inputs: Tensor,
                   strong_samples: SampleList) -> dict:
        """``lambda_u * L_u`` (Eq. 5, 7), prefixed ``unsup_``.

        The data samples are used for the pairing check only; the targets
        come from the teacher's outputs on ``weak_inputs``."""
        targets, conf = self._paired_pseudo_labels(
            weak_inputs, weak_samples, strong_inputs, strong_samples)
        outputs = self.student._forward(strong_inputs)
        return self._weighted_unsup(outputs, targets, conf)

    def _paired_pseudo_labels(self, weak_inputs: Tensor,
                              weak_samples: SampleList,
                              strong_inputs: Tensor,
                              strong_samples: SampleList
                              ) -> Tuple[tuple, Tensor]:
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
        a plain ``TopdownPoseEstimator``'s (``backbone.*``, ``neck.*``,
        ``head.*``): each key is loaded as ``student.<key>`` and
        ``teacher.<key>`` (``data_preprocessor.*`` keys, which hold no
        learnt state, are dropped) and ``lambda_u_1d`` keeps its value
        (the hook recomputes it). Our own checkpoints load as they are.
        Modifies ``state_dict`` in place: torch and mmengine pass each
        child the keys of this (already remapped) dict.
        """
        own = ('student.', 'teacher.')
        lambda_key = f'{prefix}lambda_u_1d'
        keys = [k for k in state_dict
                if k.startswith(prefix) and k != lambda_key]
        if keys and not any(k[len(prefix):].startswith(own) for k in keys):
            for k in keys:
                value = state_dict.pop(k)
                name = k[len(prefix):]
                if name.startswith('data_preprocessor.'):
                    continue
                state_dict[f'{prefix}student.{name}'] = value
                state_dict[f'{prefix}teacher.{name}'] = value
            state_dict.setdefault(lambda_key, self.lambda_u_1d.clone())
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
