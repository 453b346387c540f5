"""Whether a checkpoint's weights fit a model, said in one line.

mmengine loads a checkpoint into a model with ``strict=False`` and only
logs the missing and unexpected keys, so a test run with the wrong
checkpoint prints figures from a partly random model (a plain MMPose
heatmap checkpoint leaves HybridMatch's 1-D regressor random), and a
``--resume`` from another config's checkpoint gets as far as the optimizer
before it fails. :func:`check_state_dict_fits` compares the keys and shapes
first and names what does not fit; ``tools/infer.py``, ``tools/test.py``
and ``--resume`` (:class:`~.GuardedRunner`) use it.
"""
from typing import Dict

import torch


class CheckpointMismatchError(ValueError):
    """The checkpoint's weights do not fit the config's model."""


def checkpoint_state_dict(checkpoint: dict) -> Dict[str, torch.Tensor]:
    """The checkpoint's ``state_dict`` (or the checkpoint itself if it is
    one), ``module.`` prefixes of wrapped models removed."""
    state = checkpoint.get('state_dict', checkpoint)
    return {k[len('module.'):] if k.startswith('module.') else k: v
            for k, v in state.items()}


def state_dict_mismatch(model: torch.nn.Module, state: dict,
                        max_listed: int = 3) -> str:
    """What of ``state`` does not fit ``model``, in one sentence ('' when
    it holds exactly the model's parameters and persistent buffers, with
    the same shapes).

    Args:
        model (nn.Module): The model.
        state (dict): A state dict (:func:`checkpoint_state_dict`).
        max_listed (int): Keys named per kind of mismatch.

    Returns:
        str: e.g. ``'2 missing (e.g. head.a, head.b); 1 unexpected (e.g.
        x).'`` plus a hint when one side is a HybridMatch model.
    """
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shapes = [f'{k}: checkpoint {tuple(state[k].shape)} vs model '
              f'{tuple(own[k].shape)}' for k in own
              if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if not (missing or unexpected or shapes):
        return ''
    parts = []
    for name, keys in (('missing', missing), ('unexpected', unexpected),
                       ('of another shape', shapes)):
        if keys:
            parts.append(f'{len(keys)} {name} (e.g. '
                         f'{", ".join(keys[:max_listed])})')
    hint = ''
    if any(k.startswith(('teacher.', 'student.')) for k in unexpected):
        hint = (' This is a HybridMatch checkpoint: use it with its '
                'HybridMatch config, or export a plain model with '
                'tools/misc/export_plain_model.py.')
    elif any(k.startswith(('teacher.', 'student.')) for k in missing):
        hint = (' The config is a HybridMatch config but the checkpoint is '
                'a plain model: use the plain config it was exported with.')
    return '; '.join(parts) + '.' + hint


def check_state_dict_fits(model: torch.nn.Module, state: dict, config: str,
                          checkpoint: str, max_listed: int = 3) -> None:
    """Raise :class:`CheckpointMismatchError` naming ``checkpoint`` and
    ``config`` unless ``state`` fits ``model`` (see
    :func:`state_dict_mismatch`, whose arguments these are)."""
    mismatch = state_dict_mismatch(model, state, max_listed)
    if mismatch:
        raise CheckpointMismatchError(
            f'checkpoint {checkpoint} does not fit config {config}: '
            f'{mismatch}')
