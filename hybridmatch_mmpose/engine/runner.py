"""GuardedRunner: mmengine's Runner with the checks our tools rely on.

``tools/train.py`` and ``tools/test.py`` build this runner instead of
mmengine's ``Runner`` (same config, same behaviour otherwise):

1. **Checkpoints that fit.** A test (``Runner.test`` / ``Runner.val``)
   refuses a checkpoint whose weights do not fit the model (missing,
   unexpected or reshaped keys: :func:`~.check_state_dict_fits`, the check
   of ``tools/infer.py``), where mmengine would log the missing keys and
   test a partly random model; ``allow_checkpoint_mismatch`` (``tools/test.py
   --allow-checkpoint-mismatch``) loads it anyway. A ``--resume`` from a
   checkpoint that another config saved (other weights, or other optimizer
   parameter groups) stops with one line before anything is restored.
   Loading weights with ``load_from`` to start training stays as lenient
   as mmengine's.
2. **Nothing left behind.** Data loader workers die with the main process
   (:func:`~.exit_with_parent`), the ``multiprocessing`` temporary folder
   is one per run and removed at exit (:func:`~.use_run_temp_dir`); when a
   run starts, the temporary folders of killed runs and the unfinished
   checkpoint saves of killed processes in its work dir are removed and
   logged (:func:`~.remove_stale_run_temp_dirs`,
   :func:`~.remove_stale_temporaries`).

The checks sit where mmengine calls its ``after_load_checkpoint`` hooks:
the checkpoint is read, nothing restored yet.
"""
from typing import Optional

from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmpose.registry import RUNNERS

from .checkpoint import remove_stale_temporaries
from .checkpoint_fit import (CheckpointMismatchError, check_state_dict_fits,
                             checkpoint_state_dict, state_dict_mismatch)
from .process_cleanup import (exit_with_parent, remove_stale_run_temp_dirs,
                              use_run_temp_dir)


class ResumeMismatchError(CheckpointMismatchError):
    """``--resume`` from a checkpoint that another config saved."""


def optimizer_mismatch(saved: dict, optim_wrapper) -> str:
    """'' if the optimizer state ``saved`` has the parameter groups (count
    and sizes) of ``optim_wrapper``'s optimizer, else what differs."""
    optimizer = getattr(optim_wrapper, 'optimizer', None)
    if not isinstance(saved, dict) or 'param_groups' not in saved or \
            optimizer is None:
        return ''
    ours = [len(g['params']) for g in optimizer.param_groups]
    theirs = [len(g['params']) for g in saved['param_groups']]
    if ours == theirs:
        return ''
    return (f'its optimizer has parameter groups of sizes {theirs}, this '
            f'config {ours} (optim_wrapper / paramwise_cfg differ).')


@RUNNERS.register_module()
class GuardedRunner(Runner):
    """mmengine's :class:`~mmengine.runner.Runner` with the guards of the
    module docstring.

    Attributes:
        allow_checkpoint_mismatch (bool): Let a test load a checkpoint that
            does not fit the model (mmengine's ``strict=False``, missing
            keys logged). Defaults to False.
    """

    allow_checkpoint_mismatch = False

    def __init__(self, *args, **kwargs) -> None:
        self._evaluating = False
        self._resuming = False
        self._checkpoint_file: Optional[str] = None
        super().__init__(*args, **kwargs)
        if self.rank == 0:
            for line in remove_stale_temporaries(self.work_dir):
                self.logger.warning(line)
        for path in remove_stale_run_temp_dirs():
            self.logger.info(f'removed {path}, the temporary folder of a '
                             'run that no longer runs')
        use_run_temp_dir()

    @staticmethod
    def build_dataloader(dataloader, seed=None, diff_rank_seed=False):
        """mmengine's data loader whose workers die with this process."""
        loader = Runner.build_dataloader(
            dataloader, seed=seed, diff_rank_seed=diff_rank_seed)
        if getattr(loader, 'num_workers', 0) > 0:
            loader.worker_init_fn = exit_with_parent(loader.worker_init_fn)
        return loader

    def test(self) -> dict:
        self._evaluating = True
        return super().test()

    def val(self) -> dict:
        self._evaluating = True
        return super().val()

    def resume(self, filename: str, *args, **kwargs) -> None:
        self._resuming = True
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    def load_checkpoint(self, filename: str, *args, **kwargs):
        self._checkpoint_file = filename
        return super().load_checkpoint(filename, *args, **kwargs)

    def call_hook(self, fn_name: str, **kwargs) -> None:
        if fn_name == 'after_load_checkpoint':
            self.check_checkpoint(kwargs['checkpoint'])
        super().call_hook(fn_name, **kwargs)

    def check_checkpoint(self, checkpoint: dict) -> None:
        """Item 1 of the module docstring, on a checkpoint just read.

        Raises:
            ResumeMismatchError: resuming, and the checkpoint's weights or
                optimizer groups do not fit.
            CheckpointMismatchError: testing, the weights do not fit, and
                :attr:`allow_checkpoint_mismatch` is False.
        """
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        name = self._checkpoint_file
        config = getattr(self.cfg, 'filename', None) or 'this config'
        state = checkpoint_state_dict(checkpoint)
        if self._resuming:
            mismatch = state_dict_mismatch(model, state) or \
                optimizer_mismatch(checkpoint.get('optimizer'),
                                   self.optim_wrapper)
            if mismatch:
                raise ResumeMismatchError(
                    f'--resume: {name} was saved by another config than '
                    f'{config}: {mismatch} Resume with the config that saved'
                    ' it (the checkpoint holds it: meta.cfg), or start a new'
                    f' run from its weights with `--cfg-options load_from='
                    f'{name}` instead of --resume.')
        elif self._evaluating and not self.allow_checkpoint_mismatch:
            check_state_dict_fits(model, state, config, name)
