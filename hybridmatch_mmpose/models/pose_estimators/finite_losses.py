"""A clear stop when a loss term becomes NaN or Inf."""
from typing import Dict

import torch
from mmengine.logging import MessageHub
from torch import Tensor


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
