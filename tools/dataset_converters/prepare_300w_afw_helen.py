"""Prepare the real 300-W faces (AFW + HELEN-train) for the real-face configs.

Reads ``<shared>/data/300w_afw_helen/{helen_train,afw}`` (384 x 384 JPEG
crops with iBUG ``.pts`` files beside them) and writes, under ``--out``
(default ``data/300w_afw_helen``)::

    images -> <shared>/data/300w_afw_helen     (a symbolic link: the photos
                                                  are research-only and are
                                                  never copied or committed)
    annotations/helen_train.json      870 faces: labelled + unlabelled pool
    annotations/afw.json              337 faces: the test set
    annotations/helen_train_fit.json  helen_train minus the validation faces
    annotations/helen_val.json        a seeded validation split of helen_train
                                      (``--val-ratio``, default 0.2 = 174
                                      faces), for choosing settings without
                                      looking at the test set

Each part is converted by ``convert_300w.py``'s ``--pts-dir`` conversion
(``center`` / ``scale`` from the keypoints' box as HRNet's CSVs), with
``file_name`` prefixed by the part's folder (``afw/1051618982_1.jpg``), so
``data_prefix=dict(img='images/')`` resolves every image. Annotation ids
count on across the parts (``helen_train`` first), so ids are unique over
all four files and the validation files keep the ids of ``helen_train``.

The validation faces are drawn as the labelled split is
(:class:`~hybridmatch_mmpose.datasets.SemiSplit`: canonical id order,
``numpy.random.default_rng(seed).permutation``), seed ``--val-seed``.

Idempotent: a second run with the same options rewrites nothing. Exit
status 2 with a one-line message naming the path when the shared data is
missing or malformed::

    python tools/dataset_converters/prepare_300w_afw_helen.py
    python tools/dataset_converters/prepare_300w_afw_helen.py \\
        --shared /path/to/shared --out data/300w_afw_helen
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)  # run as a script from a source checkout
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from convert_300w import ConversionError, convert_pts_dir  # noqa: E402

from hybridmatch_mmpose.datasets.face300w_json import \
    dump_face300w_json  # noqa: E402
from hybridmatch_mmpose.datasets.semi_split import SemiSplit  # noqa: E402
from hybridmatch_mmpose.utils.shared_data import shared_dir  # noqa: E402

#: The parts, in id order, and the folder each is read from.
PARTS = ('helen_train', 'afw')
SUBDIR = osp.join('data', '300w_afw_helen')
STAMP = '.prepared.json'


def convert_part(src: str, part: str, first_id: int) -> Dict[str, List]:
    """COCO ``images`` / ``annotations`` of one part, ``file_name``
    prefixed with ``part/`` and ids counting from ``first_id``."""
    conv = convert_pts_dir(osp.join(src, part), file_name='relative',
                           file_name_prefix=f'{part}/', first_id=first_id)
    return dict(images=conv.images, annotations=conv.annotations)


def select(coco: Dict[str, List], ids: Sequence[int]) -> Dict[str, List]:
    """The faces of ``coco`` whose annotation id is in ``ids``."""
    keep = set(int(i) for i in ids)
    anns = [a for a in coco['annotations'] if a['id'] in keep]
    image_ids = {a['image_id'] for a in anns}
    return dict(images=[i for i in coco['images'] if i['id'] in image_ids],
                annotations=anns)


def link_images(src: str, out: str) -> None:
    """``out/images`` -> ``src`` (replaced when it points elsewhere)."""
    link = osp.join(out, 'images')
    target = osp.abspath(src)
    if osp.islink(link):
        if os.readlink(link) == target:
            return
        os.remove(link)
    elif osp.exists(link):
        raise ConversionError(
            link, None, 'exists and is not a symbolic link; remove it (the '
            'images are linked from the shared folder, never copied)')
    os.symlink(target, link)


def prepare(shared: str, out: str, val_ratio: float = 0.2,
            val_seed: int = 0) -> Dict[str, int]:
    """Write the four annotation files and the image link; returns the
    number of faces per file."""
    src = osp.join(shared, 'data', '300w_afw_helen')
    for part in PARTS:
        if not osp.isdir(osp.join(src, part)):
            raise ConversionError(
                osp.join(src, part), None,
                'not found: the real faces come with the shared folder; '
                'point --shared (or HYBRIDMATCH_SHARED) at it')
    options = dict(src=osp.abspath(src), val_ratio=val_ratio,
                   val_seed=val_seed, version=1)
    stamp = osp.join(out, STAMP)
    if osp.isfile(stamp):
        with open(stamp) as f:
            done = json.load(f)
        if done.get('options') == options and all(
                osp.isfile(osp.join(out, 'annotations', f'{n}.json'))
                for n in done.get('counts', {})):
            link_images(src, out)
            return done['counts']
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    files, first_id = {}, 0
    for part in PARTS:
        files[part] = convert_part(src, part, first_id)
        first_id += len(files[part]['annotations'])
    train = files['helen_train']
    ids = [a['id'] for a in train['annotations']]
    val_pos, fit_pos = SemiSplit(ratio=val_ratio, seed=val_seed).split(ids)
    files['helen_val'] = select(train, [ids[i] for i in val_pos])
    files['helen_train_fit'] = select(train, [ids[i] for i in fit_pos])
    counts = {}
    for name, coco in files.items():
        dump_face300w_json(coco['images'], coco['annotations'],
                           osp.join(out, 'annotations', f'{name}.json'))
        counts[name] = len(coco['annotations'])
    link_images(src, out)
    with open(stamp, 'w') as f:
        json.dump(dict(options=options, counts=counts), f, indent=1)
    return counts


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--shared', default=None,
        help='the shared folder holding data/300w_afw_helen (default: '
        '$HYBRIDMATCH_SHARED, else ../shared beside the repository)')
    parser.add_argument('--out', default=osp.join(REPO, SUBDIR))
    parser.add_argument('--val-ratio', type=float, default=0.2,
                        help='share of helen_train held out as helen_val')
    parser.add_argument('--val-seed', type=int, default=0)
    args = parser.parse_args(argv)
    try:
        counts = prepare(args.shared or shared_dir(), args.out,
                         args.val_ratio, args.val_seed)
    except (ConversionError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print(f'{args.out}: ' + ', '.join(f'{n} {c} faces'
                                      for n, c in counts.items()))
    return 0


if __name__ == '__main__':
    sys.exit(main())
