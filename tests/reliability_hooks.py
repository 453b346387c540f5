"""Test-only hooks, loaded into ``tools/train.py`` runs by
``tests/test_engine/test_reliability.py`` through ``custom_imports``
(with ``tests/`` on ``PYTHONPATH``): kill the process, poison a weight,
record what each rank saw."""
import json
import os
import os.path as osp
import signal

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmpose.registry import HOOKS


def _model(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class KillAtIterHook(Hook):
    """SIGKILL this process before iteration ``at`` (0-based): no clean-up,
    no exception handler, as a machine failure or the OOM killer."""

    def __init__(self, at: int):
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            os.kill(os.getpid(), signal.SIGKILL)


@HOOKS.register_module()
class PoisonWeightsHook(Hook):
    """Before iteration ``at`` (0-based), set one student weight to NaN, so
    that this iteration's losses are not finite."""

    def __init__(self, at: int):
        self.at = at

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.at:
            with torch.no_grad():
                next(_model(runner).student.parameters()).fill_(float('nan'))


@HOOKS.register_module()
class RecordRankHook(Hook):
    """Write, per rank, the ids of the labelled samples of every iteration
    (``sup_ids_rank{r}.json``) and, after training, the estimator's state
    dict (``state_rank{r}.pth``) into the work dir."""

    def __init__(self):
        self.sup_ids = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        samples = data_batch['data_samples']['sup']
        self.sup_ids.append(
            [int(s.metainfo['id']) for s in samples if s is not None])

    def after_train(self, runner):
        rank = get_rank()
        with open(osp.join(runner.work_dir, f'sup_ids_rank{rank}.json'),
                  'w') as f:
            json.dump(self.sup_ids, f)
        torch.save(_model(runner).state_dict(),
                   osp.join(runner.work_dir, f'state_rank{rank}.pth'))
