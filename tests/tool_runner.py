"""Run the repository's tools in a subprocess, as a user would, for the
end-to-end tests."""
import os
import os.path as osp
import subprocess
import sys

#: The folder of the test helpers (``tests/``) and the repository root.
TESTS = osp.dirname(osp.abspath(__file__))
REPO = osp.dirname(TESTS)


def run_tool(args, env=None, **kwargs):
    """``python ARGS`` in the repository root; captured text output.
    ``env``: the environment (default: this process's)."""
    env = dict(os.environ if env is None else env, PYTHONWARNINGS='ignore')
    env.setdefault('OMP_NUM_THREADS', '2')
    return subprocess.run([sys.executable] + args, cwd=REPO, env=env,
                          capture_output=True, text=True, **kwargs)


def with_cfg_options(cfg, options):
    """A copy of ``cfg`` with ``--cfg-options`` ``options`` (``KEY=VALUE``
    strings) applied, their values parsed as the tools parse them."""
    from mmengine.config import DictAction
    cfg = cfg.copy()
    cfg.merge_from_dict({k: DictAction._parse_iterable(v)
                         for k, v in (o.split('=', 1) for o in options)})
    return cfg


def data_root_opts(root, train_dataset='train_dataloader.dataset'):
    """``--cfg-options`` pointing every data set and evaluator at ``root``;
    ``train_dataset`` is the key of the training set (semi-supervised
    configs wrap it: ``train_dataloader.dataset.dataset``)."""
    root = root.rstrip('/') + '/'
    return [f'{k}.data_root={root}' for k in (
        train_dataset, 'val_dataloader.dataset', 'test_dataloader.dataset',
        'val_evaluator', 'test_evaluator')]


SYNTH_CONFIG = osp.join(REPO, 'configs', 'synthface',
                        'hybridmatch_synthface-5pct-64x64_cpu.py')


def semi_data_opts(root):
    """The training set of a semi-supervised config is the wrapped data
    set: ``train_dataloader.dataset.dataset``."""
    return data_root_opts(root, 'train_dataloader.dataset.dataset')


def tiny_schedule(iters, batch, burn_in=0):
    """``iters`` iterations of ``batch`` = batch/2 labelled + batch/2
    unlabelled images (the sampler's batch_size must equal the loader's),
    the unlabelled loss from iteration ``burn_in`` on (the configs' burn-in
    is a sixth of *their* schedule), validation + checkpoint at the end, a
    log line per iteration, no worker processes."""
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            f'model.semi_train_cfg.burn_in_iters={burn_in}',
            f'default_hooks.checkpoint.interval={iters}',
            'default_hooks.logger.interval=1',
            f'train_dataloader.batch_size={batch}',
            f'train_dataloader.sampler.batch_size={batch}',
            'train_dataloader.sampler.source_ratio=[1,1]',
            'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'val_dataloader.num_workers=0',
            'val_dataloader.persistent_workers=False']
