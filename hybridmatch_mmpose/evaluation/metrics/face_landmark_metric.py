"""NME, FR@x and AUC@x for face landmarks, for every subset of a test set."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.logging import MMLogger
from mmpose.evaluation.functional.keypoint_eval import _calc_distances
from mmpose.evaluation.metrics import NME
from mmpose.registry import METRICS

from ...utils.data_check import read_json
from ...utils.options import strict_options


def auc_at(errors: np.ndarray, threshold: float) -> float:
    """Area under the cumulative error distribution (CED) over
    ``[0, threshold]``, normalised to [0, 1].

    ``CED(x)`` is the fraction of samples whose error is ``<= x``, so the
    integral has the closed form ``mean(max(0, 1 - e / threshold))`` (exact;
    no sampling of the curve). A non-finite error (NaN, Inf) never lies
    under the curve: it counts as a failure, contributing 0.

    Args:
        errors (np.ndarray): Per-sample errors, shape (N,).
        threshold (float): Upper end of the integral, same unit.

    Returns:
        float: The area in [0, 1].
    """
    errors = np.asarray(errors, dtype=np.float64)
    under = np.clip(1. - errors / threshold, 0., None)
    return float(np.mean(np.where(np.isfinite(errors), under, 0.)))


def failure_rate_at(errors: np.ndarray, threshold: float) -> float:
    """Fraction of samples whose error is larger than ``threshold``; a
    non-finite error (NaN, Inf) counts as a failure.

    Args:
        errors (np.ndarray): Per-sample errors, shape (N,).
        threshold (float): Failure threshold, same unit.

    Returns:
        float: The fraction in [0, 1].
    """
    errors = np.asarray(errors, dtype=np.float64)
    return float(np.mean(~(np.isfinite(errors) & (errors <= threshold))))


class NonFiniteKeypointsError(ValueError):
    """A face reached the metric with NaN / Inf keypoints, a zero
    normaliser or no visible keypoint: its error cannot be computed."""


def format_metrics_table(metrics: Dict[str, float]) -> str:
    """Markdown table (one row per subset) of :class:`FaceLandmarkMetric`'s
    output, e.g. as saved by ``tools/test.py --out``."""
    subsets = [k[:-len('/NME')] for k in metrics if k.endswith('/NME')]
    fr_key = next(k.split('/', 1)[1] for k in metrics if '/FR@' in k)
    auc_key = next(k.split('/', 1)[1] for k in metrics if '/AUC@' in k)
    lines = [f'| subset | NME (%) | {fr_key}% (%) | {auc_key}% (%) |',
             '|---|---:|---:|---:|']
    for s in subsets:
        lines.append(f"| {s} | {metrics[f'{s}/NME']:.2f} | "
                     f"{metrics[f'{s}/{fr_key}']:.2f} | "
                     f"{metrics[f'{s}/{auc_key}']:.2f} |")
    return '\n'.join(lines)


def plot_ced(errors: Dict[str, Sequence[float]], threshold: float,
             path: str, title: str = '') -> None:
    """Plot cumulative error distributions (one curve per entry of
    ``errors``: per-image NMEs in %) over ``[0, threshold]`` % into the PNG
    ``path``; the legend gives each curve's AUC@threshold."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    xs = np.linspace(0, threshold, 201)
    for name, e in errors.items():
        e = np.sort(np.asarray(e, dtype=np.float64))
        if not len(e):
            continue
        ced = np.searchsorted(e, xs, side='right') / len(e)
        auc = 100 * auc_at(e / 100, threshold / 100)
        ax.plot(xs, ced, label=f'{name} (AUC {auc:.2f})')
    ax.set_xlim(0, threshold)
    ax.set_ylim(0, 1)
    ax.set_xlabel('NME (%)')
    ax.set_ylabel('fraction of images')
    ax.grid(alpha=0.3)
    ax.legend(loc='lower right', fontsize=8)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


@METRICS.register_module()
class FaceLandmarkMetric(NME):
    """NME, failure rate and AUC per test subset, as face-alignment papers
    report them (HybridMatch, Tables 1-5).

    Reuses MMPose's :class:`~mmpose.evaluation.metrics.NME` for collecting
    predictions and for the normaliser (``keypoint_distance``: the outer eye
    corners of ``DEFAULT_KEYPOINT_INDICES``, 36/45 for 300-W and 60/72 for
    WFLW; ``use_norm_item='bbox_size'`` for AFLW), and adds per-image errors:

    * ``e_n = mean_k ||p_nk - g_nk|| / L_n`` over visible keypoints (N,),
    * ``NME = mean_n e_n``, ``FR@t = mean_n [e_n > t]``,
      ``AUC@t = integral_0^t CED(x) dx / t`` (see :func:`auc_at`).

    All three are reported in percent (NME 3.5 means 3.5 % of the
    normaliser), like the paper; note that MMPose's own ``NME`` metric
    reports a fraction.

    A face whose error cannot be computed is an error, not a figure:
    non-finite predicted keypoints, non-finite visible ground truth, a
    normaliser that is zero or not finite, or no visible keypoint raise
    :class:`NonFiniteKeypointsError` naming the faces (MMPose's ``NME``
    would print ``nan``, or score a zero normaliser as a perfect face).

    Args:
        norm_mode, norm_item, keypoint_indices: as MMPose's ``NME``.
        subsets (dict, optional): subset name -> COCO annotation file whose
            annotation ids form the subset, e.g. 300-W's
            ``dict(common='.../face_landmarks_300w_valid_common.json',
            challenge='.../face_landmarks_300w_valid_challenge.json')``.
            Relative paths are resolved against ``data_root``. The whole
            evaluated set is always reported as ``full``.
        data_root (str, optional): root for relative ``subsets`` paths.
        threshold (float): FR / AUC threshold as a fraction. Defaults to 0.1.
        ced_dir (str, optional): If set, every evaluation writes
            ``ced_dir/ced.json`` (each subset's per-image errors in %,
            sorted, with ids) and ``ced_dir/ced.png`` (the CED curves of
            all subsets over ``[0, threshold]``, AUC in the legend).
            Defaults to None (nothing written).
        worst_dir (str, optional): If set, every evaluation writes the
            ``num_worst`` faces with the largest error as
            ``worst_dir/worst.png`` (a contact sheet, worst first: ground
            truth green, prediction red, each tile cropped around the face
            box and labelled with its rank, NME and file name) and
            ``worst_dir/worst.json`` (file, id, NME of each). Defaults to
            None (nothing written).
        num_worst (int): How many faces ``worst_dir`` shows. Defaults to 24.
        prefix (str, optional): metric name prefix.

    Output keys: ``NME`` (full set, the key the stock checkpoint hook's
    ``save_best='NME'`` watches), and ``{subset}/NME``, ``{subset}/FR@10``,
    ``{subset}/AUC@10`` for ``full`` and every subset.
    """

    @strict_options
    def __init__(self,
                 norm_mode: str = 'keypoint_distance',
                 norm_item: Optional[str] = None,
                 keypoint_indices: Optional[Sequence[int]] = None,
                 subsets: Optional[Dict[str, str]] = None,
                 data_root: Optional[str] = None,
                 threshold: float = 0.1,
                 ced_dir: Optional[str] = None,
                 worst_dir: Optional[str] = None,
                 num_worst: int = 24,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(
            norm_mode=norm_mode,
            norm_item=norm_item,
            keypoint_indices=keypoint_indices,
            collect_device=collect_device,
            prefix=prefix)
        if not 0 < threshold <= 1:
            raise ValueError(
                f'FaceLandmarkMetric: threshold must be in (0, 1], got '
                f'{threshold}')
        self.threshold = threshold
        self.ced_dir = ced_dir
        if num_worst < 1:
            raise ValueError(
                f'FaceLandmarkMetric: num_worst must be >= 1, got {num_worst}')
        self.worst_dir, self.num_worst = worst_dir, int(num_worst)
        self.subset_files = dict(subsets or {})
        self.data_root = data_root
        self._subset_ids: Optional[Dict[str, set]] = None

    # ------------------------------------------------------------------ #
    def _load_subsets(self) -> Dict[str, set]:
        if self._subset_ids is None:
            self._subset_ids = {}
            for name, path in self.subset_files.items():
                if self.data_root and not osp.isabs(path):
                    path = osp.join(self.data_root, path)
                if not osp.isfile(path):
                    raise FileNotFoundError(
                        f'FaceLandmarkMetric: subset {name!r} annotation file '
                        f'{path} not found; fix `subsets` / `data_root` in '
                        'the evaluator config.')
                anns = read_json(path, f'subsets.{name}')['annotations']
                self._subset_ids[name] = {int(a['id']) for a in anns}
        return self._subset_ids

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        start = len(self.results)
        super().process(data_batch, data_samples)
        for result, data_sample in zip(self.results[start:], data_samples):
            result['id'] = int(data_sample.get('id', -1))
            result['img_path'] = data_sample.get('img_path')
            if self.worst_dir:
                bboxes = data_sample.get('gt_instances', {}).get('bboxes')
                result['bbox'] = None if bboxes is None else np.asarray(
                    bboxes, np.float32).reshape(-1)[:4]

    def _refuse(self, results: List[dict], bad: np.ndarray,
                what: str, fix: str) -> None:
        """Raise :class:`NonFiniteKeypointsError` naming the faces of
        ``results`` where ``bad`` (N,) is True."""
        if not bad.any():
            return
        faces = [f"id {results[i]['id']} ({results[i].get('img_path')})"
                 for i in np.flatnonzero(bad)[:3]]
        more = f' and {int(bad.sum()) - 3} more' if bad.sum() > 3 else ''
        raise NonFiniteKeypointsError(
            f'FaceLandmarkMetric: {int(bad.sum())} of {len(bad)} faces '
            f'{what}: {", ".join(faces)}{more}. {fix}')

    def per_sample_errors(self, results: List[dict]) -> np.ndarray:
        """Normalised mean error of each sample.

        Args:
            results (list[dict]): :meth:`process`'s records.

        Returns:
            np.ndarray: Errors, shape (N,), all finite.

        Raises:
            NonFiniteKeypointsError: naming the faces whose prediction or
                visible ground truth is not finite, whose normaliser is not
                positive and finite, or that have no visible keypoint.
        """
        pred = np.concatenate([r['pred_coords'] for r in results])
        gt = np.concatenate([r['gt_coords'] for r in results])
        mask = np.concatenate([r['mask'] for r in results])
        self._refuse(
            results, ~np.isfinite(pred).all(axis=(1, 2)),
            'have non-finite predicted keypoints (NaN or Inf)',
            'The model is broken (non-finite weights?): check the '
            'checkpoint.')
        self._refuse(
            results, ~(np.isfinite(gt).all(axis=2) | ~mask).all(axis=1),
            'have non-finite ground-truth keypoints (NaN or Inf)',
            'Fix these annotations in the test annotation file (the data '
            'check of tools/test.py names the file and the entries).')
        self._refuse(
            results, ~mask.any(axis=1), 'have no visible keypoint',
            'A face without ground truth cannot be scored: remove it from '
            'the test annotation file.')
        if self.norm_mode == 'use_norm_item':
            norm = np.concatenate([r[self.norm_item] for r in results])
            norm = np.tile(norm, [1, 2])
        else:
            if self.keypoint_indices is None:
                name = self.dataset_meta['dataset_name']
                if name not in self.DEFAULT_KEYPOINT_INDICES:
                    raise KeyError(
                        f'FaceLandmarkMetric: no default eye-corner indices '
                        f'for dataset {name!r}; set `keypoint_indices`.')
                self.keypoint_indices = self.DEFAULT_KEYPOINT_INDICES[name]
            norm = self._get_normalize_factor(gt_coords=gt)
        self._refuse(
            results, ~(np.isfinite(norm) & (norm > 0)).all(axis=1),
            f'have a normaliser ({self.norm_item or self.norm_mode}) that '
            'is zero or not finite',
            'Check their eye corners / boxes in the test annotation file.')
        distances = _calc_distances(pred, gt, mask, norm)  # (K, N), -1 = off
        valid = distances != -1
        return np.where(valid, distances, 0).sum(0) / np.maximum(
            valid.sum(0), 1)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        errors = self.per_sample_errors(results)
        ids = np.array([r['id'] for r in results])
        groups = {'full': np.ones(len(errors), dtype=bool)}
        for name, members in self._load_subsets().items():
            groups[name] = np.isin(ids, list(members))

        t_pct = int(round(self.threshold * 100))
        metrics = {}
        for name, selected in groups.items():
            if not selected.any():
                continue
            e = errors[selected]
            metrics[f'{name}/NME'] = 100 * float(e.mean())
            metrics[f'{name}/FR@{t_pct}'] = 100 * failure_rate_at(
                e, self.threshold)
            metrics[f'{name}/AUC@{t_pct}'] = 100 * auc_at(e, self.threshold)
        metrics['NME'] = metrics['full/NME']
        MMLogger.get_current_instance().info(
            '\n' + format_metrics_table(metrics))
        if self.ced_dir:
            self.write_ced(errors, ids, groups, metrics)
        if self.worst_dir:
            self.write_worst(errors, results)
        return metrics

    def write_worst(self, errors: np.ndarray, results: List[dict]) -> None:
        """``worst.png`` and ``worst.json`` in :attr:`worst_dir` (see
        Args)."""
        import cv2

        from hybridmatch_mmpose.visualization import (contact_sheet,
                                                      crop_to_box, draw_face,
                                                      label_tile)
        os.makedirs(self.worst_dir, exist_ok=True)
        order = np.argsort(-errors, kind='stable')[:self.num_worst]
        tiles, record = [], []
        for rank, i in enumerate(order, 1):
            r = results[i]
            path = r.get('img_path')
            record.append(dict(rank=rank, file=path, id=r['id'],
                               nme=100 * float(errors[i])))
            img = cv2.imread(path) if path else None
            if img is None:
                continue  # listed in worst.json; nothing to draw
            tile = draw_face(img, r['pred_coords'][0], r['gt_coords'][0],
                             radius=max(1, round(min(img.shape[:2]) / 200)))
            if r.get('bbox') is not None:
                tile = crop_to_box(tile, r['bbox'])
            tile = cv2.resize(tile, (256, 256), interpolation=cv2.INTER_AREA)
            tiles.append(label_tile(
                tile, f'#{rank} {100 * errors[i]:.1f}% '
                f'{osp.basename(path)}'))
        with open(osp.join(self.worst_dir, 'worst.json'), 'w') as f:
            json.dump(dict(num_faces=len(errors), worst=record), f, indent=1)
        sheet = contact_sheet(tiles, cols=min(6, max(1, len(tiles))))
        if sheet is not None:
            cv2.imwrite(osp.join(self.worst_dir, 'worst.png'), sheet)

    def write_ced(self, errors: np.ndarray, ids: np.ndarray,
                  groups: Dict[str, np.ndarray], metrics: dict) -> None:
        """``ced.json`` and ``ced.png`` in :attr:`ced_dir` (see Args)."""
        os.makedirs(self.ced_dir, exist_ok=True)
        record = {}
        for name, selected in groups.items():
            order = np.argsort(errors[selected], kind='stable')
            record[name] = dict(
                ids=ids[selected][order].tolist(),
                errors=(100 * errors[selected][order]).tolist())
        with open(osp.join(self.ced_dir, 'ced.json'), 'w') as f:
            json.dump(dict(threshold=100 * self.threshold, subsets=record), f)
        plot_ced({name: r['errors'] for name, r in record.items()},
                 100 * self.threshold, osp.join(self.ced_dir, 'ced.png'))
