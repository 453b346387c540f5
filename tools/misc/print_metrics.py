"""Print a metrics JSON written by ``tools/test.py --out`` as the NME / FR /
AUC table of :class:`~hybridmatch_mmpose.evaluation.FaceLandmarkMetric`."""
import argparse
import json

from hybridmatch_mmpose.evaluation.metrics.face_landmark_metric import \
    format_metrics_table


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('metrics_json')
    args = parser.parse_args()
    with open(args.metrics_json) as f:
        print(format_metrics_table(json.load(f)))


if __name__ == '__main__':
    main()
