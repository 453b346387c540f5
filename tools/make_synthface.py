"""Generate SynthFace-68, the embedded synthetic 68-point face data set.

Writes MMPose's 300-W layout under ``--out`` (use it as ``data_root`` of the
stock 300-W config)::

    python tools/make_synthface.py --out data/synthface
    python tools/make_synthface.py --out /tmp/sf --num-train 60 \\
        --num-test 20 --image-size 128 --seed 1 --difficulty 1.5
    python tools/make_synthface.py --out data/synthface_classic \\
        --variant classic

See :mod:`hybridmatch_mmpose.synthface` for the rendering.
"""
import argparse
import json
import sys

from hybridmatch_mmpose.synthface import (DEFAULT_VARIANT, VARIANTS,
                                          generate_synthface, is_up_to_date)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', required=True, help='output root')
    parser.add_argument('--num-train', type=int, default=3000)
    parser.add_argument('--num-test', type=int, default=600)
    parser.add_argument('--image-size', type=int, default=256)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--difficulty', type=float, default=1.0,
        help='nuisance strength in [0, 2] (rotation, occluders, blur, ...)')
    parser.add_argument(
        '--variant', default=DEFAULT_VARIANT, choices=sorted(VARIANTS),
        help='rendering variant (default %(default)s: drawing-style '
        'families, distractor parts, colour/sketch transforms and the '
        'widest identity shapes; classic: the plain rendering, the default '
        'before)')
    parser.add_argument(
        '--contact-sheet', default='',
        help='PNG path of the contact sheet (default OUT/contact_sheet.png; '
        '"none" for no sheet)')
    parser.add_argument('--workers', type=int, default=2,
                        help='processes (the output does not depend on it)')
    parser.add_argument(
        '--skip-if-up-to-date', '--skip-if-exists', action='store_true',
        dest='skip_if_up_to_date',
        help='do nothing when OUT already holds this set (same generator '
        'version and arguments, see OUT/synthface_meta.json)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    sheet = None if args.contact_sheet.lower() == 'none' \
        else args.contact_sheet
    kwargs = dict(num_train=args.num_train, num_test=args.num_test,
                  image_size=args.image_size, seed=args.seed,
                  difficulty=args.difficulty, variant=args.variant)
    if args.skip_if_up_to_date and is_up_to_date(args.out, **kwargs):
        print(f'{args.out} is up to date, nothing to do')
        return 0
    summary = generate_synthface(args.out, workers=args.workers,
                                 contact_sheet=sheet, **kwargs)
    print(json.dumps(
        {k: v for k, v in summary.items() if k != 'annotation_files'},
        indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
