"""HybridLabel: one codec for HybridMatch's 2-D heatmap and 1-D x/y labels.

HybridMatch (Kang et al., IEEE Access 2023, Sec. III-C) supervises a
low-resolution 2-D heatmap (64x64, as HRNet) and a high-resolution pair of
1-D heatmaps (256 bins per axis, as Yin et al.'s 1-D heatmap regression) on
the same keypoints. MMPose can encode each with a stock codec
(:class:`~mmpose.codecs.MSRAHeatmap`, :class:`~mmpose.codecs.SimCCLabel`),
but ``GenerateTarget(encoder=[MSRAHeatmap, SimCCLabel])`` yields a *list* of
``keypoint_weights`` that ``PackPoseInputs`` cannot pack into one field.
This codec composes the two stock codecs and returns one
``keypoint_weights``, so the stock ``GenerateTarget`` + ``PackPoseInputs``
pipeline packs it unchanged.
"""
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmpose.codecs import MSRAHeatmap, SimCCLabel
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.codecs.utils import get_simcc_maximum
from mmpose.codecs.utils.gaussian_heatmap import \
    generate_unbiased_gaussian_heatmaps
from mmpose.registry import KEYPOINT_CODECS


class _SubpixelSimCCLabel(SimCCLabel):
    """:class:`SimCCLabel` whose Gaussians are centred at the exact
    (sub-bin) keypoint position instead of the nearest bin.

    Stock ``SimCCLabel._map_coordinates`` rounds ``keypoint * split_ratio``
    to an integer bin, which puts up to 0.5 bin of quantisation error into
    the label itself (the problem the 1-D representation is meant to remove).
    Only that mapping changes; Gaussian rendering, the 3-sigma validity test
    and normalisation are SimCCLabel's own. Not registered: built by
    :class:`HybridLabel` only.
    """

    def _map_coordinates(self, keypoints, keypoints_visible=None):
        keypoints_split = keypoints.astype(np.float64) * self.simcc_split_ratio
        return keypoints_split, keypoints_visible.copy()


@KEYPOINT_CODECS.register_module()
class HybridLabel(BaseKeypointCodec):
    r"""Encode keypoints as a 2-D Gaussian heatmap *and* 1-D (SimCC-style)
    Gaussian x/y labels with one shared set of keypoint weights; decode
    from the 1-D labels (default) or from the 2-D heatmap.

    HybridMatch: `Semi-Supervised Facial Landmark Detection via Hybrid
    Heatmap Representations`, Kang et al., IEEE Access 2023.

    Note:

        - instance number: N (must be 1 for encoding, as MSRAHeatmap)
        - keypoint number: K
        - keypoint dimension: D
        - image size: [w, h] (``input_size``)
        - heatmap size: [W, H] (``heatmap_size``)
        - 1-D label sizes: :math:`Wx = w \cdot simcc\_split\_ratio`,
          :math:`Wy = h \cdot simcc\_split\_ratio`

    Encoded:

        - heatmaps (np.ndarray): float32 (K, H, W), :class:`MSRAHeatmap`'s
          output (peak 1), except that keypoints MMPose 1.3.2 draws one
          pixel off near the top/left border are redrawn at the right place
          (see :meth:`_fix_border_shift`). Packed into
          ``data_sample.gt_fields.heatmaps``.
        - keypoint_x_labels (np.ndarray): float32 (N, K, Wx), Gaussian
          SimCC labels along x. Packed into
          ``data_sample.gt_instance_labels.keypoint_x_labels``.
        - keypoint_y_labels (np.ndarray): float32 (N, K, Wy), same along y.
        - keypoint_weights (np.ndarray): float32 (N, K), one weight for both
          representations, packed into
          ``data_sample.gt_instance_labels.keypoint_weights``.

    Coordinates: as in MMPose, pixel centres are integers; heatmap pixel
    ``j`` is input coordinate ``j * w / W`` and 1-D bin ``i`` is input
    coordinate ``i / simcc_split_ratio``.

    Weights: both stock codecs start from a copy of ``keypoints_visible`` and
    set a keypoint to 0 when it is invisible-as-unlabelled or its Gaussian has
    no part inside its own grid (3-sigma rule). The two grids differ (64 vs
    256 cells, different sigma), so the two weight sets can disagree near the
    border. The shared weight is their elementwise **minimum**: a zero from
    either codec wins, and a fractional visibility ``v`` stays ``v`` (a
    product would give ``v**2``, as both start from the same ``v``). With
    ``ignore_outside=True`` a keypoint whose centre is not on the input
    image (``x < 0 or x >= w or y < 0 or y >= h``) also gets weight 0 and
    empty labels in both representations: the stock 3-sigma rule would keep
    it, supervising a truncated Gaussian whose argmax is a border pixel.
    Losses must use the weights (``use_target_weight=True``).

    Args:
        input_size (tuple): Input image size ``[w, h]``. Defaults to
            ``(256, 256)``, the paper's crop (Sec. IV-B).
        heatmap_size (tuple): 2-D heatmap size ``[W, H]``. Defaults to
            ``(64, 64)``, the paper's 2-D resolution (stride 4, as HRNet).
        sigma (float): Sigma of the 2-D Gaussian, in heatmap pixels.
            Defaults to ``1.5``, the value of MMPose's stock 300-W
            HRNetV2-W18 config (``td-hm_hrnetv2-w18_8xb64-60e_300w-256x256``)
            that our configs inherit and whose HRNet setup the paper follows.
        simcc_split_ratio (float): Bins per input pixel of the 1-D labels.
            Defaults to ``1.0``: 256 bins at a 256 input, the paper's
            "256x2" 1-D output. For a 128 input use ``2.0`` to keep 256 bins.
        simcc_sigma (float | tuple, optional): Sigma of the 1-D Gaussians in
            bins, ``(sigma_x, sigma_y)`` or one value, as SimCCLabel. Defaults
            to ``None``: ``sigma * (w / W) * simcc_split_ratio``, i.e. the
            marginal of the 2-D Gaussian drawn on the finer grid, so both
            representations describe the same target (6.0 bins with the
            defaults, which is also SimCCLabel's default sigma).
        normalize (bool): Divide the 1-D labels by
            :math:`\sigma\sqrt{2\pi}` (SimCCLabel's option, for
            ``KLDiscretLoss``). Defaults to ``False``: 1-D labels peak at 1
            like the 2-D heatmap, matching the paper's heatmap *regression*
            and making the 1-D peak a confidence in [0, 1] like A_conf.
        unbiased (bool): Render the 2-D heatmap at the sub-pixel keypoint
            position (DARK encoding, ``generate_unbiased_gaussian_heatmaps``)
            instead of the nearest heatmap pixel. Defaults to ``False``, the
            stock 300-W config.
        simcc_unbiased (bool): Centre the 1-D Gaussians at the exact sub-bin
            position. Defaults to ``True``: SimCCLabel rounds to the nearest
            bin, which alone costs 0.25 px per axis on average (0.38 px
            Euclidean) at 1 bin/px and would cap what the 1-D branch can
            learn. ``False`` reproduces
            SimCCLabel's labels exactly.
        decode_from (str): ``'1d'`` (default): :meth:`decode` reads the 1-D
            labels, the paper's output; ``'2d'``: :meth:`decode` reads the
            2-D heatmap (ablation), see :meth:`decode_heatmap`.
        refine_1d (str): Sub-bin refinement of the 1-D argmax.
            ``'gaussian'`` (default): weighted least-squares fit of a
            Gaussian (a parabola of ``log y``) over ``refine_window`` bins
            around the argmax, exact on clean labels anywhere on the axis.
            ``'dark'``: MMPose's ``refine_simcc_dark`` (SimCCLabel's
            ``use_dark=True``); its blur pads the axis with zeros, which
            biases keypoints near either end of the axis, so it is not the
            default (``docs/results/codec_roundtrip.md`` compares them).
            ``'none'``: argmax only, quantised to ``1 / simcc_split_ratio``
            px. Expects non-negative, Gaussian-shaped
            1-D heatmaps (as regressed with MSE); softmax logits first.
        refine_window (int | tuple, optional): Half window of the
            ``'gaussian'`` fit in bins, per axis. Defaults to ``None``:
            ``round(2 * simcc_sigma)`` (12 bins with the defaults); a wider
            window averages more noise, ``1`` is the 3-point log-parabola.
        use_dark (bool, optional): DARK refinement for the 2-D decoding
            (MSRAHeatmap with ``unbiased=True`` decoding); otherwise
            MSRAHeatmap's argmax + quarter-pixel shift. Defaults to ``None``:
            follow ``unbiased``, as MSRAHeatmap does.
        blur_kernel_size (int): Blur kernel of the 2-D DARK decoding.
            Defaults to 11 (MSRAHeatmap's default).
        ignore_outside (bool): Zero the weight (and labels) of keypoints off
            the input image, see above. Defaults to ``True``.
    """

    # PackPoseInputs replaces its default tables by the ones GenerateTarget
    # copies from the codec. Labels and weights -> gt_instance_labels,
    # heatmaps -> gt_fields. No instance_mapping_table: leaving it empty keeps
    # PackPoseInputs' default (bboxes, keypoints, keypoints_visible, ...).
    label_mapping_table = dict(
        keypoint_x_labels='keypoint_x_labels',
        keypoint_y_labels='keypoint_y_labels',
        keypoint_weights='keypoint_weights',
    )
    field_mapping_table = dict(heatmaps='heatmaps')

    def __init__(self,
                 input_size: Tuple[int, int] = (256, 256),
                 heatmap_size: Tuple[int, int] = (64, 64),
                 sigma: float = 1.5,
                 simcc_split_ratio: float = 1.0,
                 simcc_sigma: Optional[Union[float, Sequence[float]]] = None,
                 normalize: bool = False,
                 unbiased: bool = False,
                 simcc_unbiased: bool = True,
                 decode_from: str = '1d',
                 refine_1d: str = 'gaussian',
                 refine_window: Optional[Union[int, Sequence[int]]] = None,
                 use_dark: Optional[bool] = None,
                 blur_kernel_size: int = 11,
                 ignore_outside: bool = True) -> None:
        super().__init__()
        if decode_from not in ('1d', '2d'):
            raise ValueError(f"decode_from must be '1d' or '2d', "
                             f'got {decode_from!r}')
        if refine_1d not in ('dark', 'gaussian', 'none'):
            raise ValueError("refine_1d must be 'dark', 'gaussian' or "
                             f"'none', got {refine_1d!r}")

        self.input_size = tuple(input_size)
        self.heatmap_size = tuple(heatmap_size)
        self.sigma = sigma
        self.simcc_split_ratio = simcc_split_ratio
        self.normalize = normalize
        self.unbiased = unbiased
        self.simcc_unbiased = simcc_unbiased
        self.decode_from = decode_from
        self.refine_1d = refine_1d
        self.use_dark = unbiased if use_dark is None else use_dark
        self.blur_kernel_size = blur_kernel_size
        self.ignore_outside = ignore_outside

        if simcc_sigma is None:
            stride = np.array(input_size, dtype=np.float64) / heatmap_size
            simcc_sigma = tuple(float(s) for s in
                                sigma * stride * simcc_split_ratio)
        self.simcc_sigma = np.broadcast_to(
            np.asarray(simcc_sigma, dtype=np.float64), (2, )).copy()
        if refine_window is None:
            refine_window = np.round(2 * self.simcc_sigma)
        self.refine_window = tuple(
            max(1, int(r)) for r in np.broadcast_to(refine_window, (2, )))

        # 2-D branch: MMPose's MSRAHeatmap, for encoding ...
        self.heatmap_codec = MSRAHeatmap(
            input_size=input_size,
            heatmap_size=heatmap_size,
            sigma=sigma,
            unbiased=unbiased,
            blur_kernel_size=blur_kernel_size)
        # ... and for decoding (MSRAHeatmap ties DARK decoding to
        # `unbiased`; a second instance lets `use_dark` differ from it).
        self.heatmap_decoder = MSRAHeatmap(
            input_size=input_size,
            heatmap_size=heatmap_size,
            sigma=sigma,
            unbiased=self.use_dark,
            blur_kernel_size=blur_kernel_size)
        # 1-D branch: MMPose's SimCCLabel (Gaussian smoothing).
        simcc_cls = _SubpixelSimCCLabel if simcc_unbiased else SimCCLabel
        self.simcc_codec = simcc_cls(
            input_size=input_size,
            smoothing_type='gaussian',
            sigma=tuple(self.simcc_sigma),
            simcc_split_ratio=simcc_split_ratio,
            normalize=normalize,
            use_dark=(refine_1d == 'dark'))

    # ------------------------------------------------------------ encoding
    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints (input-image pixels) into both representations.

        Args:
            keypoints (np.ndarray): Keypoint coordinates in shape (N, K, D),
                N = 1
            keypoints_visible (np.ndarray, optional): Keypoint visibilities
                in shape (N, K). Defaults to all ones.

        Returns:
            dict:
            - heatmaps (np.ndarray): (K, H, W) float32
            - keypoint_x_labels (np.ndarray): (N, K, Wx) float32
            - keypoint_y_labels (np.ndarray): (N, K, Wy) float32
            - keypoint_weights (np.ndarray): (N, K) float32, shared
        """
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        keypoints_visible = np.asarray(keypoints_visible, dtype=np.float32)

        enc2d = self.heatmap_codec.encode(keypoints, keypoints_visible)
        enc1d = self.simcc_codec.encode(keypoints, keypoints_visible)

        heatmaps = self._fix_border_shift(enc2d['heatmaps'], keypoints,
                                          keypoints_visible,
                                          enc2d['keypoint_weights'])
        x_labels = enc1d['keypoint_x_labels']
        y_labels = enc1d['keypoint_y_labels']
        weights = np.minimum(enc2d['keypoint_weights'],
                             enc1d['keypoint_weights']).astype(np.float32)

        if self.ignore_outside:
            w, h = self.input_size
            x, y = keypoints[..., 0], keypoints[..., 1]
            outside = (x < 0) | (x >= w) | (y < 0) | (y >= h)
            if outside.any():
                weights[outside] = 0.
                x_labels[outside] = 0.
                y_labels[outside] = 0.
                # heatmaps are (K, H, W): N == 1 (asserted by MSRAHeatmap)
                heatmaps[outside[0]] = 0.

        return dict(
            heatmaps=heatmaps,
            keypoint_x_labels=x_labels,
            keypoint_y_labels=y_labels,
            keypoint_weights=weights)

    def _fix_border_shift(self, heatmaps, keypoints, keypoints_visible,
                          weights):
        """Undo a one-pixel shift of MMPose 1.3.2's biased 2-D rendering.

        ``generate_gaussian_heatmaps`` places the Gaussian window at
        ``int(mu - 3 * sigma)``. When ``3 * sigma`` is not an integer (the
        stock 300-W sigma 1.5 gives 4.5) and ``mu < 3 * sigma``, ``int``
        truncates towards zero instead of flooring, so the peak lands one
        heatmap pixel (4 input px at stride 4) right of / below the keypoint
        for keypoints in the first ``ceil(3 * sigma)`` columns / rows
        (``tests/test_codecs/test_hybrid_label.py`` shows it on MSRAHeatmap
        itself).
        Those channels are re-rendered with MMPose's
        ``generate_unbiased_gaussian_heatmaps`` at the same rounded centre
        MSRAHeatmap uses; every other channel is MSRAHeatmap's output
        unchanged. A no-op for ``unbiased=True`` or integer ``3 * sigma``.
        """
        radius = 3 * self.sigma
        if self.unbiased or float(radius).is_integer():
            return heatmaps
        centre = (keypoints[..., :2] / self.heatmap_codec.scale_factor +
                  0.5).astype(np.int64)  # as generate_gaussian_heatmaps
        shifted = ((centre - radius < 0).any(-1) & (keypoints_visible >= 0.5)
                   & (weights > 0))
        if not shifted.any():
            return heatmaps
        fixed, _ = generate_unbiased_gaussian_heatmaps(
            heatmap_size=self.heatmap_size,
            keypoints=centre.astype(np.float32),
            keypoints_visible=shifted.astype(np.float32),
            sigma=self.sigma)
        heatmaps[shifted[0]] = fixed[shifted[0]]
        return heatmaps

    # ------------------------------------------------------------ decoding
    def decode(self,
               simcc_x: Optional[np.ndarray] = None,
               simcc_y: Optional[np.ndarray] = None,
               heatmaps: Optional[np.ndarray] = None
               ) -> Tuple[np.ndarray, np.ndarray]:
        """Decode keypoints (input-image pixels) from the representation
        chosen by ``decode_from``.

        A head can return ``(simcc_x, simcc_y, heatmaps)`` from its forward
        pass and hand the tuple to MMPose's ``BaseHead.decode``, which calls
        ``decode(*outputs)`` per sample: the same head then serves both
        ``decode_from='1d'`` and ``'2d'``.

        Args:
            simcc_x (np.ndarray): x labels/predictions, (N, K, Wx) or (K, Wx)
            simcc_y (np.ndarray): y labels/predictions, (N, K, Wy) or (K, Wy)
            heatmaps (np.ndarray, optional): (K, H, W) or (1, K, H, W);
                required when ``decode_from='2d'``.

        Returns:
            tuple:
            - keypoints (np.ndarray): (N, K, 2) float32, input-image pixels
            - scores (np.ndarray): (N, K), the lower of the two 1-D peaks
              ('1d') or the heatmap peak ('2d')
        """
        if self.decode_from == '2d':
            if heatmaps is None:
                raise ValueError("decode_from='2d' needs `heatmaps`")
            return self.decode_heatmap(heatmaps)
        if simcc_x is None or simcc_y is None:
            raise ValueError("decode_from='1d' needs `simcc_x` and `simcc_y`")
        return self.decode_simcc(simcc_x, simcc_y)

    def decode_simcc(self, simcc_x: np.ndarray,
                     simcc_y: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode from the 1-D labels: argmax, then ``refine_1d``.

        Args:
            simcc_x (np.ndarray): (N, K, Wx) or (K, Wx)
            simcc_y (np.ndarray): (N, K, Wy) or (K, Wy)

        Returns:
            tuple: keypoints (N, K, 2) float32, scores (N, K)
        """
        simcc_x = np.asarray(simcc_x, dtype=np.float32)
        simcc_y = np.asarray(simcc_y, dtype=np.float32)
        if simcc_x.ndim == 2:
            simcc_x, simcc_y = simcc_x[None], simcc_y[None]

        if self.refine_1d != 'gaussian':
            # SimCCLabel's own decode: argmax (+ refine_simcc_dark if 'dark');
            # it blurs a copy only if we pass one.
            keypoints, scores = self.simcc_codec.decode(
                simcc_x.copy(), simcc_y.copy())
            return keypoints.astype(np.float32), scores

        keypoints, scores = get_simcc_maximum(simcc_x, simcc_y)
        for axis, simcc in enumerate((simcc_x, simcc_y)):
            half = self.refine_window[axis]
            N, K, L = simcc.shape
            keypoints[..., axis] = self._gaussian_fit(
                keypoints[..., axis].reshape(-1), simcc.reshape(N * K, L),
                half).reshape(N, K)
        keypoints /= self.simcc_split_ratio
        return keypoints.astype(np.float32), scores

    @staticmethod
    def _gaussian_fit(locs: np.ndarray, simcc: np.ndarray,
                      half: int) -> np.ndarray:
        """Refine 1-D argmax locations by a weighted least-squares fit of a
        parabola to ``log(simcc)`` over ``locs +- half`` bins (Guo, IEEE
        Signal Process. Mag. 2011): a Gaussian is a parabola in the log
        domain, so the fit is exact on a clean Gaussian label, also when the
        window is cut by the border; weights ``y**2`` (non-positive values
        get none) keep the noisy tails from dominating. With ``half=1`` it is
        the classic 3-point log-parabola. Locations are unchanged where
        fewer than 3 bins are positive, the fit is not a peak, or the input
        location is invalid (-1); the shift is clipped to ``+-half``.

        Args:
            locs (np.ndarray): argmax bins, (M, )
            simcc (np.ndarray): (M, L)
            half (int): half window, in bins

        Returns:
            np.ndarray: refined locations in bins, (M, )
        """
        L = simcc.shape[-1]
        t = np.arange(-half, half + 1)
        idx = locs.astype(np.int64)[:, None] + t
        y = np.take_along_axis(simcc, np.clip(idx, 0, L - 1),
                               axis=-1).astype(np.float64)
        use = (idx >= 0) & (idx < L) & (y > 0)
        w = np.where(use, y * y, 0.)
        w /= np.maximum(w.max(-1, keepdims=True), 1e-300)  # scale-free
        log_y = np.log(np.where(use, y, 1.))
        X = np.stack([np.ones_like(t), t, t * t], -1).astype(np.float64)
        A = np.einsum('mt,ti,tj->mij', w, X, X)
        b = np.einsum('mt,ti,mt->mi', w, X, log_y)
        ok = ((w > 0).sum(-1) >= 3) & (locs >= 0)
        A += 1e-12 * np.eye(3)  # never singular; negligible otherwise
        A[~ok] = np.eye(3)
        b[~ok] = 0.
        coef = np.linalg.solve(A, b[..., None])[..., 0]
        ok &= coef[:, 2] < 0
        vertex = -coef[:, 1] / (2 * np.where(ok, coef[:, 2], -1.))
        return np.where(ok, locs + np.clip(vertex, -half, half), locs)

    def heatmap_peaks(self, heatmaps: np.ndarray) -> np.ndarray:
        """Sub-pixel peak of each 2-D heatmap, located as :meth:`decode_simcc`
        locates a 1-D peak: the whole-cell argmax, refined along the row and
        along the column through it by the weighted Gaussian fit of
        :meth:`_gaussian_fit` (half window ``round(2 * sigma)`` cells).

        An isotropic Gaussian is a 1-D Gaussian along any row or column, so
        the fit is exact on a clean label (this codec's unbiased 2-D labels)
        wherever it lies; DARK's blur, which the 2-D decoding uses for
        noisy predictions, moves such a peak by a fraction of a cell. Hard
        pseudo-labels are drawn here (:meth:`HybridMatchHead.pseudo_labels`).

        Args:
            heatmaps (np.ndarray): ``(N, K, H, W)``.

        Returns:
            np.ndarray: ``(N, K, 2)`` float64 ``(x, y)`` in heatmap pixels;
            where the fit does not apply (fewer than 3 positive cells, no
            peak) the argmax.
        """
        heatmaps = np.asarray(heatmaps, dtype=np.float64)
        N, K, H, W = heatmaps.shape
        flat = heatmaps.reshape(N * K, H * W)
        idx = flat.argmax(-1)
        x, y = idx % W, idx // W
        rows = heatmaps.reshape(N * K, H, W)[np.arange(N * K), y]  # (NK, W)
        cols = heatmaps.reshape(N * K, H, W)[np.arange(N * K), :, x]
        half = max(1, int(round(2 * self.sigma)))
        fx = self._gaussian_fit(x.astype(np.float64), rows, half)
        fy = self._gaussian_fit(y.astype(np.float64), cols, half)
        return np.stack([fx, fy], -1).reshape(N, K, 2)

    def decode_heatmap(self, heatmaps: np.ndarray
                       ) -> Tuple[np.ndarray, np.ndarray]:
        """Decode from the 2-D heatmap with MMPose's MSRAHeatmap decoding
        (argmax + quarter-pixel shift, or DARK when ``use_dark``).

        Args:
            heatmaps (np.ndarray): (K, H, W) or (1, K, H, W)

        Returns:
            tuple: keypoints (1, K, 2) float32 in input-image pixels,
            scores (1, K)
        """
        heatmaps = np.asarray(heatmaps, dtype=np.float32)
        if heatmaps.ndim == 4:
            assert heatmaps.shape[0] == 1, heatmaps.shape
            heatmaps = heatmaps[0]
        keypoints, scores = self.heatmap_decoder.decode(heatmaps)
        return keypoints.astype(np.float32), scores
