"""Pseudo-labels from the teacher's outputs (HybridMatch, paper III-C-3).

Hard labels (the paper's choice, used in all its experiments): "we apply the
argmax operation on the heatmap to obtain coordinate information. Then, we
transform the coordinate information to the heatmap by fitting the Gaussian
distribution; it is a common protocol, thus identical to all other methods of
producing the heatmap label from the coordinate label."  The location is the
whole-cell argmax by default here; the head passes the teacher's *decoded*
(sub-pixel) keypoints instead (``locations``), because ground-truth labels
are sub-pixel too (DARK 2-D labels, sub-bin 1-D labels), and a whole-cell
pseudo-label would teach the student to snap to the grid. The re-rendering
reproduces, for a given location, exactly what the codec does for ground
truth:

- 2-D: :func:`mmpose.codecs.utils.generate_gaussian_heatmaps` (used by
  ``MSRAHeatmap``): an unnormalised Gaussian (peak 1) on the heatmap grid,
  cut to the window ``[int(mu - 3 sigma), int(mu + 3 sigma + 1))`` whose
  centre is at ``int(mu - 3 sigma) + (6 sigma + 1) // 2``. ``int`` truncates
  toward zero, so for a non-integer ``3 sigma`` (e.g. 300-W's
  ``sigma=1.5``) the window is one pixel shorter on one side and, within
  ``3 sigma`` of the top/left border, MMPose's peak lands one pixel inward of
  ``mu``. :class:`~hybridmatch_mmpose.codecs.HybridLabel` re-renders exactly
  those ground-truth channels over the whole grid
  (``generate_unbiased_gaussian_heatmaps`` at ``mu``, its
  ``_fix_border_shift``), and so do we: pseudo-labels and ground-truth
  labels share one convention, pixel for pixel, and both peak at ``mu``.
- 1-D: ``SimCCLabel._generate_gaussian``: ``exp(-(x - mu)^2 / (2 sigma^2))``
  over all bins (no cut), divided by ``sigma * sqrt(2 pi)`` when
  ``normalize`` (SimCC's default) so that it is (nearly) a distribution.

Confidence ``A_conf`` is the peak value of each teacher 2-D heatmap, clamped
to ``[0, 1]`` (the paper: "A_conf in [0, 1] is the highest value in the
heatmap"). The same 2-D confidence weights the 1-D loss too (see
:class:`~hybridmatch_mmpose.models.losses.ConfidenceRegularizedLoss`).
:func:`simcc_confidence` takes it from the 1-D outputs instead, for the
SSL-1D ablation whose 2-D map is unsupervised.

Soft labels (the paper's Table 7 alternative) use the teacher output itself.

Everything is batched torch, runs under ``torch.no_grad()`` and returns
tensors that do not require grad, on the input's device and dtype.
"""
import math
from typing import Optional, Tuple

import torch
from torch import Tensor

__all__ = [
    'heatmap_confidence', 'simcc_confidence', 'heatmap_argmax',
    'hard_heatmap_labels',
    'soft_heatmap_labels', 'hard_simcc_labels', 'soft_simcc_labels'
]


def _check_ndim(x: Tensor, ndim: int, name: str, shape: str) -> None:
    if x.dim() != ndim:
        raise ValueError(f'{name} must have shape {shape}, got '
                         f'{tuple(x.shape)}')


@torch.no_grad()
def heatmap_confidence(heatmaps: Tensor) -> Tensor:
    """``A_conf``: the peak of each heatmap clamped to ``[0, 1]``.

    Args:
        heatmaps (Tensor): ``(N, K, H, W)`` teacher heatmaps.

    Returns:
        Tensor: ``(N, K)``.
    """
    _check_ndim(heatmaps, 4, 'heatmaps', '(N, K, H, W)')
    return heatmaps.detach().flatten(2).amax(dim=-1).clamp(0., 1.)


@torch.no_grad()
def simcc_confidence(simcc_x: Tensor, simcc_y: Tensor, peak_x: float,
                     peak_y: float) -> Tensor:
    """``A_conf`` from the 1-D outputs (the SSL-1D ablation's option).

    The lower of the two axes' peaks, each divided by the peak value of a
    1-D label of that axis (``1`` for peak-1 labels, ``1 / (sigma
    sqrt(2 pi))`` for SimCC's normalised ones), clamped to ``[0, 1]``: a
    teacher output that reproduces a label exactly gets confidence 1, one
    that is flat or negative gets 0. ``min`` over the axes follows SimCC's
    ``get_simcc_maximum`` (a keypoint is as sure as its least sure axis).

    Args:
        simcc_x (Tensor): ``(N, K, Wx)`` teacher 1-D outputs for x, in the
            space the loss compares (raw for ``'mse'``, ``softmax(beta *
            output)`` for ``'kl'``).
        simcc_y (Tensor): ``(N, K, Wy)`` the same for y.
        peak_x (float): Peak value of a 1-D x label.
        peak_y (float): Peak value of a 1-D y label.

    Returns:
        Tensor: ``(N, K)`` in ``[0, 1]``.
    """
    _check_ndim(simcc_x, 3, 'simcc_x', '(N, K, Wx)')
    _check_ndim(simcc_y, 3, 'simcc_y', '(N, K, Wy)')
    conf_x = simcc_x.detach().amax(dim=-1) / float(peak_x)
    conf_y = simcc_y.detach().amax(dim=-1) / float(peak_y)
    return torch.minimum(conf_x, conf_y).clamp(0., 1.)


def heatmap_argmax(heatmaps: Tensor) -> Tensor:
    """Whole-cell argmax of each heatmap (the first maximum, as numpy).

    Args:
        heatmaps (Tensor): ``(N, K, H, W)``.

    Returns:
        Tensor: ``(N, K, 2)`` int64 ``(x, y)`` in heatmap pixels.
    """
    _check_ndim(heatmaps, 4, 'heatmaps', '(N, K, H, W)')
    N, K, H, W = heatmaps.shape
    idx = heatmaps.detach().reshape(N, K, H * W).argmax(dim=-1)
    return torch.stack([idx % W, idx // W], dim=-1)


@torch.no_grad()
def hard_heatmap_labels(heatmaps: Tensor,
                        sigma: float,
                        unbiased: bool = False,
                        locations: Optional[Tensor] = None
                        ) -> Tuple[Tensor, Tensor]:
    """Hard 2-D pseudo-labels: a keypoint location re-rendered as an MMPose
    Gaussian.

    Args:
        heatmaps (Tensor): ``(N, K, H, W)`` teacher heatmaps.
        sigma (float): Gaussian sigma in heatmap pixels (the codec's
            ``sigma``).
        unbiased (bool): Render like ``generate_unbiased_gaussian_heatmaps``
            (``MSRAHeatmap(unbiased=True)``, DARK): the Gaussian over the
            whole grid at the (sub-pixel) location, no 3-sigma window. Use
            the codec's ``unbiased``. Defaults to False
            (``generate_gaussian_heatmaps``, which first rounds the
            location to a whole cell, ``int(mu + 0.5)``).
        locations (Tensor, optional): ``(N, K, 2)`` float ``(x, y)`` in
            heatmap pixels where the labels go, e.g. the teacher's decoded
            (sub-pixel) keypoints. Defaults to None: the whole-cell argmax
            of ``heatmaps`` (:func:`heatmap_argmax`).

    Returns:
        tuple:
        - targets (Tensor): ``(N, K, H, W)`` Gaussians of peak 1, identical
          to ``HybridLabel``'s 2-D labels for those locations: the
          whole-grid Gaussian at the location when ``unbiased``, else
          ``generate_gaussian_heatmaps`` at the rounded location (or the
          whole-grid Gaussian there where that renderer would shift the
          peak, see the module doc).
        - confidence (Tensor): ``(N, K)``, ``A_conf``. A heatmap whose peak
          is ``<= 0`` still gets a target but confidence 0, so it adds
          nothing to a confidence-weighted loss.
    """
    _check_ndim(heatmaps, 4, 'heatmaps', '(N, K, H, W)')
    heatmaps = heatmaps.detach()
    N, K, H, W = heatmaps.shape
    if locations is None:
        locations = heatmap_argmax(heatmaps)
    elif tuple(locations.shape) != (N, K, 2):
        raise ValueError(f'locations must have shape {(N, K, 2)}, got '
                         f'{tuple(locations.shape)}')
    locations = locations.to(heatmaps.device)
    if not unbiased and locations.is_floating_point():
        # generate_gaussian_heatmaps: mu = (keypoint + 0.5).astype(int64)
        locations = torch.floor(locations.to(torch.float64) + 0.5)
    mu_x, mu_y = locations[..., 0], locations[..., 1]

    dev, dt = heatmaps.device, heatmaps.dtype
    # whole-grid Gaussian at (mu_x, mu_y): generate_unbiased_gaussian_heatmaps
    x = torch.arange(W, device=dev, dtype=torch.float32)
    y = torch.arange(H, device=dev, dtype=torch.float32)
    dx = x - mu_x[..., None].to(torch.float32)  # (N, K, W)
    dy = y - mu_y[..., None].to(torch.float32)  # (N, K, H)
    full = torch.exp(-(dx[..., None, :]**2 + dy[..., :, None]**2) /
                     (2 * float(sigma)**2))
    if unbiased:
        return full.to(dt), heatmap_confidence(heatmaps)

    # window arithmetic of generate_gaussian_heatmaps, in float64 like numpy
    radius = 3. * float(sigma)
    center = float((2. * radius + 1.) // 2.)  # x0 = y0 = gaussian_size // 2

    def axis(mu: Tensor, size: int) -> Tuple[Tensor, Tensor]:
        mu = mu.to(torch.float64)
        left = torch.trunc(mu - radius)  # astype(np.int64) truncates to 0
        right = torch.trunc(mu + radius + 1.)
        p = torch.arange(size, device=dev, dtype=torch.float64)
        inside = (p >= left[..., None]) & (p < right[..., None])
        # offset from the Gaussian's centre, as numpy does it in float32
        d = (p - left[..., None]).to(torch.float32) - center
        return d, inside  # (N, K, size)

    wx, in_x = axis(mu_x, W)
    wy, in_y = axis(mu_y, H)
    gauss = torch.exp(-(wx[..., None, :]**2 + wy[..., :, None]**2) /
                      (2 * float(sigma)**2))
    inside = in_y[..., :, None] & in_x[..., None, :]
    targets = torch.where(inside, gauss, torch.zeros_like(gauss))
    if not radius.is_integer():  # HybridLabel._fix_border_shift
        shifted = (mu_x < radius) | (mu_y < radius)
        targets = torch.where(shifted[..., None, None], full, targets)
    return targets.to(dt), heatmap_confidence(heatmaps)


@torch.no_grad()
def soft_heatmap_labels(heatmaps: Tensor) -> Tuple[Tensor, Tensor]:
    """Soft 2-D pseudo-labels: the teacher's raw heatmaps.

    Args:
        heatmaps (Tensor): ``(N, K, H, W)`` teacher heatmaps.

    Returns:
        tuple: ``(targets (N, K, H, W), confidence (N, K))``, targets being a
        detached copy of ``heatmaps`` (the same scale as the MSE-regressed
        Gaussians) and confidence ``A_conf`` as for hard labels.
    """
    _check_ndim(heatmaps, 4, 'heatmaps', '(N, K, H, W)')
    return heatmaps.detach().clone(), heatmap_confidence(heatmaps)


@torch.no_grad()
def hard_simcc_labels(simcc: Tensor,
                      sigma: float,
                      normalize: bool = True,
                      locations: Optional[Tensor] = None) -> Tensor:
    """Hard 1-D pseudo-labels: a location re-rendered as a SimCC Gaussian.

    Args:
        simcc (Tensor): ``(N, K, W)`` teacher 1-D outputs of one axis
            (logits or probabilities).
        sigma (float): Gaussian sigma in bins (the codec's 1-D sigma for this
            axis, i.e. SimCC's ``sigma[0]`` for x, ``sigma[1]`` for y).
        normalize (bool): Divide by ``sigma * sqrt(2 pi)`` like
            ``SimCCLabel(normalize=True)``. Use the codec's setting.
            Defaults to True.
        locations (Tensor, optional): ``(N, K)`` float bin positions where
            the labels go, e.g. the teacher's decoded (sub-bin) keypoints.
            Defaults to None: the argmax bin of ``simcc``.

    Returns:
        Tensor: ``(N, K, W)``, equal to ``SimCCLabel._generate_gaussian``
        (with :class:`HybridLabel`'s sub-bin centre) at those locations.
    """
    _check_ndim(simcc, 3, 'simcc', '(N, K, W)')
    simcc = simcc.detach()
    W = simcc.shape[-1]
    if locations is None:
        mu = simcc.argmax(dim=-1, keepdim=True).to(torch.float32)
    elif tuple(locations.shape) != tuple(simcc.shape[:2]):
        raise ValueError(f'locations must have shape {tuple(simcc.shape[:2])}'
                         f', got {tuple(locations.shape)}')
    else:
        mu = locations.to(simcc.device, torch.float32)[..., None]
    x = torch.arange(W, device=simcc.device, dtype=torch.float32)
    targets = torch.exp(-((x - mu)**2) / (2 * float(sigma)**2))
    if normalize:
        targets = targets / (float(sigma) * math.sqrt(2 * math.pi))
    return targets.to(simcc.dtype)


@torch.no_grad()
def soft_simcc_labels(simcc: Tensor,
                      beta: float = 1.0,
                      normalize: bool = True) -> Tensor:
    """Soft 1-D pseudo-labels from the teacher's 1-D outputs.

    Args:
        simcc (Tensor): ``(N, K, W)`` teacher 1-D logits of one axis.
        beta (float): Inverse temperature; use the 1-D loss's ``beta`` so
            that teacher and student distributions are taken alike.
        normalize (bool): ``True`` (for the ``'kl'`` distance, whose target
            must be a distribution like the student's ``softmax(beta *
            pred)``): return ``softmax(beta * simcc)`` over the bins.
            ``False`` (for ``'mse'``, which regresses raw outputs): return
            the raw output. Defaults to True.

    Returns:
        Tensor: ``(N, K, W)``.
    """
    _check_ndim(simcc, 3, 'simcc', '(N, K, W)')
    simcc = simcc.detach()
    if normalize:
        return torch.softmax(simcc * beta, dim=-1)
    return simcc.clone()
