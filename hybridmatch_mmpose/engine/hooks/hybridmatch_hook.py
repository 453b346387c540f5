"""HybridMatchHook: EMA teacher update and the lambda_u^1D ramp (Eq. 6)."""
from typing import List, NamedTuple, Optional

import torch
from mmengine.dist import all_reduce_params, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor, nn

from mmpose.registry import HOOKS

from ...utils.options import strict_options

DATA_BATCH = Optional[dict]


def lambda_u_1d_at(i: int, max_iters: int, lambda_1d: float,
                   ramp_fraction: float) -> float:
    r"""``lambda_u^1D(i)`` of Eq. 6: ``min(i / K, 1) * lambda^1D`` with
    ``K = ramp_fraction * I`` (``I = max_iters``).

    ``i / K * lambda^1D`` while ``i < K``, then ``lambda^1D``; ``K = 0``
    (no ramp) gives ``lambda^1D`` from the start."""
    if i < 0 or max_iters <= 0:
        raise ValueError(f'need i >= 0 and max_iters > 0, got i={i}, '
                         f'max_iters={max_iters}')
    K = float(ramp_fraction) * float(max_iters)
    if i >= K:
        return float(lambda_1d)
    return float(i) / K * float(lambda_1d)


def lambda_u_at(i: int, lambda_u: float, burn_in_iters: int = 0,
                ramp_iters: int = 0) -> float:
    """``lambda_u`` at iteration ``i``: 0 during the burn-in
    (``i < burn_in_iters``), then a linear ramp over ``ramp_iters``
    iterations (``(i - burn_in_iters + 1) / ramp_iters``, capped at 1) up
    to ``lambda_u``; ``ramp_iters = 0`` gives ``lambda_u`` at once."""
    if i < burn_in_iters:
        return 0.
    if ramp_iters <= 0:
        return float(lambda_u)
    return min((i - burn_in_iters + 1) / float(ramp_iters), 1.) * lambda_u


class EMATensorPairs(NamedTuple):
    """The teacher tensors an EMA update writes and their student sources,
    matched by state-dict name (see :func:`ema_tensor_pairs`)."""
    averaged: List[Tensor]  # teacher parameters and averaged buffers
    averaged_from: List[Tensor]  # the student's, same order
    copied: List[Tensor]  # teacher buffers copied as they are
    copied_from: List[Tensor]


@torch.no_grad()
def ema_tensor_pairs(student: nn.Module,
                     teacher: nn.Module,
                     buffers: str = 'ema') -> EMATensorPairs:
    """Which teacher tensors :func:`ema_update` averages and which it
    copies.

    Parameters and floating-point buffers are averaged (``buffers='ema'``)
    or buffers are copied (``buffers='copy'``); integer buffers
    (``num_batches_tracked``) are always copied. Entries are matched by
    state-dict name; the two models must have the same keys.

    Building the lists walks every module, so :class:`HybridMatchHook`
    builds them once per run.
    """
    if buffers not in ('ema', 'copy'):
        raise ValueError(f"buffers must be 'ema' or 'copy', got {buffers!r}")
    src = student.state_dict(keep_vars=True)
    dst = teacher.state_dict(keep_vars=True)
    if src.keys() != dst.keys():
        raise KeyError('student and teacher differ in state-dict keys: '
                       f'{sorted(set(src) ^ set(dst))[:10]}')
    param_names = {name for name, _ in teacher.named_parameters()}
    pairs = EMATensorPairs([], [], [], [])
    for name, t in dst.items():
        s = src[name].detach()
        t = t.data
        if s.shape != t.shape or s.dtype != t.dtype:
            raise ValueError(
                f'{name}: student {tuple(s.shape)} {s.dtype} vs teacher '
                f'{tuple(t.shape)} {t.dtype}; the two must be built from '
                'the same config')
        if t.is_floating_point() and (name in param_names
                                      or buffers == 'ema'):
            pairs.averaged.append(t)
            pairs.averaged_from.append(s)
        else:
            pairs.copied.append(t)
            pairs.copied_from.append(s)
    return pairs


@torch.no_grad()
def ema_update(student: nn.Module,
               teacher: nn.Module,
               momentum: float,
               buffers: str = 'ema',
               pairs: Optional[EMATensorPairs] = None) -> None:
    """``teacher = (1 - momentum) * teacher + momentum * student`` in place.

    What is averaged and what is copied: :func:`ema_tensor_pairs` (pass
    ``pairs`` built once to skip that walk over the modules; they stay
    valid while the models' tensors are not replaced, e.g. by ``.to()``).
    ``momentum=1`` copies everything exactly.

    The update is one fused call per list (``torch._foreach_lerp_``,
    ``teacher + momentum * (student - teacher)``, as mmengine's
    ``ExponentialMovingAverage`` does tensor by tensor with ``lerp_``),
    an order of magnitude faster than a per-tensor loop over HRNetV2-W18's
    tensors on CPU (``docs/results/speed_memory.md``).
    """
    if pairs is None:
        pairs = ema_tensor_pairs(student, teacher, buffers)
    if momentum == 1:
        if pairs.averaged:
            torch._foreach_copy_(pairs.averaged, pairs.averaged_from)
    elif pairs.averaged:
        torch._foreach_lerp_(pairs.averaged, pairs.averaged_from,
                             float(momentum))
    if pairs.copied:
        torch._foreach_copy_(pairs.copied, pairs.copied_from)


@HOOKS.register_module()
class HybridMatchHook(Hook):
    """Mean teacher and curriculum of HybridMatch (Kang et al., IEEE Access
    2023, III-C), for :class:`HybridMatchEstimator`: after every
    ``interval``-th optimiser step the teacher becomes ``(1 - momentum) *
    teacher + momentum * student`` (MMDetection's ``MeanTeacherHook``
    convention; BatchNorm buffers averaged too with ``buffers='ema'``, the
    student's averaged over ranks first when distributed); the student is
    copied into the teacher before training (unless resumed or loaded) and
    again at the end of the burn-in; before each iteration the model's
    ``lambda_u_1d`` follows Eq. 6's ramp and ``lambda_u`` the burn-in and
    its own ramp, both functions of ``runner.iter`` only (exact after
    ``--resume``) and logged every iteration. Before training it checks
    that the data set's keypoint count equals the head's ``out_channels``.
    docs/method.md gives each rule and why.

    Args:
        momentum (float): EMA momentum in ``(0, 1]``. Defaults to 0.001.
        interval (int): Update the teacher every ``interval`` iterations.
            Defaults to 1.
        buffers (str): ``'ema'`` (default) or ``'copy'``, see above.
        lambda_1d (float, optional): ``lambda^1D``; ``None`` (default)
            reads the model's ``semi_train_cfg.lambda_1d`` (0.05).
        ramp_fraction (float, optional): ``K / I``; ``None`` reads
            ``semi_train_cfg.ramp_fraction`` (0.1).
        sync_buffers (bool): Average the student's buffers over the ranks
            before each EMA update when distributed (item 4). Defaults to
            True; no-op in a single process.
    """

    priority = 'NORMAL'

    @strict_options
    def __init__(self,
                 momentum: float = 0.001,
                 interval: int = 1,
                 buffers: str = 'ema',
                 lambda_1d: Optional[float] = None,
                 ramp_fraction: Optional[float] = None,
                 sync_buffers: bool = True) -> None:
        if not 0 < momentum <= 1:
            raise ValueError(f'momentum must be in (0, 1], got {momentum}')
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}')
        if buffers not in ('ema', 'copy'):
            raise ValueError(
                f"buffers must be 'ema' or 'copy', got {buffers!r}")
        self.momentum = momentum
        self.interval = interval
        self.buffers = buffers
        self.lambda_1d = lambda_1d
        self.ramp_fraction = ramp_fraction
        self.sync_buffers = sync_buffers
        self._pairs: Optional[EMATensorPairs] = None

    @staticmethod
    def _model(runner) -> nn.Module:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        for name in ('student', 'teacher', 'set_lambda_u'):
            if not hasattr(model, name):
                raise TypeError(
                    'HybridMatchHook needs a SemiTopdownEstimator (or '
                    f'HybridMatchEstimator): missing `{name}` on '
                    f'{type(model).__name__}')
        return model

    def _ramp_cfg(self, model):
        cfg = getattr(model, 'semi_train_cfg', {}) or {}
        lambda_1d = (self.lambda_1d if self.lambda_1d is not None else
                     cfg.get('lambda_1d', 0.05))
        fraction = (self.ramp_fraction if self.ramp_fraction is not None
                    else cfg.get('ramp_fraction', 0.1))
        return lambda_1d, fraction

    @staticmethod
    def _burn_in(model) -> int:
        cfg = getattr(model, 'semi_train_cfg', {}) or {}
        return int(cfg.get('burn_in_iters', 0))

    def lambda_at(self, runner) -> float:
        """``lambda_u^1D(runner.iter)``."""
        model = self._model(runner)
        lambda_1d, fraction = self._ramp_cfg(model)
        return lambda_u_1d_at(max(runner.iter - self._burn_in(model), 0),
                              runner.max_iters, lambda_1d, fraction)

    def unsup_weight_at(self, runner) -> float:
        """``lambda_u`` at ``runner.iter`` (:func:`lambda_u_at`)."""
        model = self._model(runner)
        cfg = getattr(model, 'semi_train_cfg', {}) or {}
        return lambda_u_at(runner.iter, cfg.get('lambda_u', 1.0),
                           self._burn_in(model),
                           int(cfg.get('lambda_u_ramp_iters', 0)))

    @staticmethod
    def check_num_keypoints(runner, model) -> None:
        """The training set's keypoint count must match the head's."""
        loader = getattr(runner, 'train_dataloader', None)
        dataset = getattr(loader, 'dataset', None)
        num = (getattr(dataset, 'metainfo', None) or {}).get('num_keypoints')
        out = getattr(model.student.head, 'out_channels', None)
        if num is not None and out is not None and int(num) != int(out):
            raise ValueError(
                f'the training set ({type(dataset).__name__}, '
                f"metainfo from {dataset.metainfo.get('from_file', '?')}) "
                f'has {num} keypoints but the head predicts {out} '
                f'(model.head.out_channels): set '
                f'`model.head.out_channels={num}` (and the '
                'flip indices of that data set), or train on a data set '
                f'with {out} keypoints')

    def before_train(self, runner) -> None:
        model = self._model(runner)
        self.check_num_keypoints(runner, model)
        # the model is on its device and wrapped by now: its tensors stay
        # the same objects for the rest of the run (optimiser steps and
        # checkpoint loading write into them)
        self._pairs = ema_tensor_pairs(model.student, model.teacher,
                                       self.buffers)
        if runner.iter == 0 and not getattr(model, 'teacher_loaded', False):
            ema_update(model.student, model.teacher, 1.0, pairs=self._pairs)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: DATA_BATCH = None) -> None:
        model = self._model(runner)
        if hasattr(model, 'set_lambda_u_1d'):  # HybridMatch's 1-D branch
            value = self.lambda_at(runner)
            model.set_lambda_u_1d(value)
            runner.message_hub.update_scalar('train/lambda_u_1d', value)
        weight = self.unsup_weight_at(runner)
        model.set_lambda_u(weight)
        runner.message_hub.update_scalar('train/lambda_u', weight)
        burn_in = self._burn_in(model)
        if burn_in > 0 and runner.iter == burn_in:
            # the burn-in ends: pseudo-labels from the supervised model
            if self._pairs is None:
                self._pairs = ema_tensor_pairs(model.student, model.teacher,
                                               self.buffers)
            ema_update(model.student, model.teacher, 1.0, pairs=self._pairs)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        if (runner.iter + 1) % self.interval != 0:
            return
        model = self._model(runner)
        if self.sync_buffers and get_world_size() > 1:
            all_reduce_params(
                [b for b in model.student.buffers() if b.is_floating_point()],
                op='mean')
        if self._pairs is None:  # after_train_iter without before_train
            self._pairs = ema_tensor_pairs(model.student, model.teacher,
                                           self.buffers)
        ema_update(model.student, model.teacher, self.momentum,
                   pairs=self._pairs)
