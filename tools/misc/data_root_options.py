"""Print the ``--cfg-options`` that point every data set of a config at one
data root, one ``key=value`` per line (used by ``make demo``).

Supervised configs keep the training set at ``train_dataloader.dataset``;
semi-supervised ones wrap it (``train_dataloader.dataset.dataset``); see
:func:`hybridmatch_mmpose.utils.data_paths.data_root_options`.

Usage::

    python tools/misc/data_root_options.py CONFIG DATA_ROOT [--for-dump]

``--for-dump``: keys for ``tools/test.py --dump``, which turns
``test_evaluator`` into ``[metric, DumpResults]`` (so ``test_evaluator.0``).
"""
import argparse

from mmengine.config import Config

from hybridmatch_mmpose.utils.data_paths import data_root_options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('data_root')
    parser.add_argument('--for-dump', action='store_true',
                        help='keys for tools/test.py --dump')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    try:
        print('\n'.join(data_root_options(cfg, args.data_root,
                                          args.for_dump)))
    except ValueError as err:
        raise SystemExit(f'ERROR: {err}')


if __name__ == '__main__':
    main()
