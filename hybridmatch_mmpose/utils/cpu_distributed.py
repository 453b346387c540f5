"""Multi-process training and testing on CPU (gloo) through mmengine.

mmengine 0.10.7's ``init_dist('pytorch')`` calls ``torch.cuda.set_device``
unconditionally (``Found no NVIDIA driver``), and ``Runner.wrap_model``
passes ``device_ids=[LOCAL_RANK]`` to ``DistributedDataParallel``, which
rejects device ids for CPU modules. On a machine without CUDA,
:func:`setup_cpu_distributed` therefore initialises the process group
itself (``Runner.setup_env`` then skips ``init_dist``) and sets
``model_wrapper_cfg`` with ``device_ids=None``. GPU runs are untouched.
Our ``tools/train.py`` and ``tools/test.py`` call it.
"""
import torch
import torch.distributed as torch_dist
from mmengine.logging import print_log


def setup_cpu_distributed(cfg, launcher: str) -> None:
    """Prepare ``cfg`` (in place) and the process group for a distributed
    CPU run; a no-op for ``launcher='none'`` or when CUDA is available.

    The backend is ``env_cfg.dist_cfg.backend`` unless that is ``'nccl'``
    (MMPose's default, GPU only), which becomes ``'gloo'``.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise ValueError(
            f'--launcher {launcher}: distributed runs on CPU are supported '
            'with --launcher pytorch (tools/dist_train.sh, torchrun) only')
    dist_cfg = (cfg.get('env_cfg', None) or {}).get('dist_cfg', None) or {}
    backend = dist_cfg.get('backend', 'gloo')
    if backend == 'nccl':
        print_log('no CUDA device: using the gloo backend instead of nccl',
                  logger='current')
        backend = 'gloo'
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend=backend)
    wrapper = cfg.get('model_wrapper_cfg', None) or dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None  # CPU modules take no device ids
    cfg.model_wrapper_cfg = wrapper
