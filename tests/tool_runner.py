"""Run the repository's tools in a subprocess, as a user would, for the
end-to-end tests."""
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def run_tool(args, env=None, **kwargs):
    """``python ARGS`` in the repository root; captured text output.
    ``env``: the environment (default: this process's)."""
    env = dict(os.environ if env is None else env, PYTHONWARNINGS='ignore')
    env.setdefault('OMP_NUM_THREADS', '2')
    return subprocess.run([sys.executable] + args, cwd=REPO, env=env,
                          capture_output=True, text=True, **kwargs)


def data_root_opts(root, train_dataset='train_dataloader.dataset'):
    """``--cfg-options`` pointing every data set and evaluator at ``root``;
    ``train_dataset`` is the key of the training set (semi-supervised
    configs wrap it: ``train_dataloader.dataset.dataset``)."""
    root = root.rstrip('/') + '/'
    return [f'{k}.data_root={root}' for k in (
        train_dataset, 'val_dataloader.dataset', 'test_dataloader.dataset',
        'val_evaluator', 'test_evaluator')]
