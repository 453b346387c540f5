"""Print the ``--cfg-options`` that point every data set of a config at one
data root, one ``key=value`` per line (used by ``make demo``).

Supervised configs keep the training set at ``train_dataloader.dataset``;
semi-supervised ones wrap it (``train_dataloader.dataset.dataset``); see
:func:`hybridmatch_mmpose.utils.data_paths.data_root_options`.

Usage::

    python tools/misc/data_root_options.py CONFIG DATA_ROOT

The same keys serve ``tools/test.py --dump``: it adds its metric after the
options are merged.
"""
import argparse

from mmengine.config import Config

from hybridmatch_mmpose.utils.data_paths import data_root_options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('data_root')
    args = parser.parse_args()
    cfg = Config.fromfile(args.config)
    try:
        print('\n'.join(data_root_options(cfg, args.data_root)))
    except ValueError as err:
        raise SystemExit(f'ERROR: {err}')


if __name__ == '__main__':
    main()
