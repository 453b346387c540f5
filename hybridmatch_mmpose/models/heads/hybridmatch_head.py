"""HybridMatchHead: 2-D heatmap layers and a 1-D regressor fed by them."""
import math
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from mmcv.cnn import build_conv_layer
from mmengine.structures import InstanceData, PixelData
from torch import Tensor, nn

from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.losses import KLDiscretLoss
from mmpose.models.utils.tta import flip_heatmaps, flip_vectors
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import (ConfigType, Features, InstanceList,
                                 OptConfigType, OptSampleList, Predictions)

from ..losses import ConfidenceRegularizedLoss
from ..utils import (hard_heatmap_labels, hard_simcc_labels,
                     simcc_confidence, soft_heatmap_labels,
                     soft_simcc_labels)
from .one_d_regressor import OneDRegressor

OptIntSeq = Optional[Sequence[int]]
# (heatmaps (N, K, H, W), simcc_x (N, K, Wx), simcc_y (N, K, Wy))
HybridOutputs = Tuple[Tensor, Tensor, Tensor]


@MODELS.register_module()
class HybridMatchHead(BaseHead):
    r"""HybridMatch head (Kang et al., IEEE Access 2023, Sec. III-C, Fig. 3):
    the stock 300-W ``HeatmapHead``'s 2-D layers (a 1x1 conv + BN + ReLU and
    a final 1x1 conv to K heatmaps, the paper's "two convolutional layers
    with batch normalization", with ``HeatmapHead``'s attribute names so a
    stock checkpoint's head loads) plus a :class:`OneDRegressor` that reads
    the *predicted* 2-D heatmaps ``(N, K, H, W)`` and gives 1-D heatmaps
    ``(N, K, Wx)`` and ``(N, K, Wy)``. The 2-D loss cannot reach the
    regressor (it is downstream); the 1-D loss flows through the predicted
    heatmap into the 2-D layers and the backbone unless
    ``detach_heatmap_for_1d``. :meth:`loss_by_targets` computes Eq. 4 on
    labels and Eq. 5 / 7 on :meth:`pseudo_labels`: ``loss_2d`` (``L^2D``),
    ``loss_1d`` (``lambda^1D * L^1D``, already weighted) and ``acc_pose``
    (PCK on the 2-D maps). Sizes and parameter counts: docs/method.md.

    Args:
        in_channels (int): Channels of the input feature map. Defaults to
            270 (HRNetV2-W18 after the concat neck).
        out_channels (int): Number of keypoints K.
        input_size (tuple, optional): Input image size ``(w, h)``. Defaults
            to the decoder's ``input_size``.
        heatmap_size (tuple, optional): 2-D heatmap size ``(W, H)``, equal to
            the feature map size. Defaults to the decoder's.
        simcc_split_ratio (float, optional): 1-D bins per input pixel;
            ``Wx = round(w * ratio)``. Defaults to the decoder's.
        conv_out_channels (sequence[int], optional): Intermediate conv
            layers (each conv + BN + ReLU). ``None``: one layer of
            ``in_channels`` channels (the stock head); ``()``: none.
        conv_kernel_sizes (sequence[int], optional): Their kernel sizes.
            ``None``: all 1.
        final_layer (dict): Arguments of the final conv. Defaults to
            ``dict(kernel_size=1)``.
        hidden_dims (int, optional): Width of the 1-D regressor's shared
            factor, see :class:`OneDRegressor`. Defaults to 256.
        detach_heatmap_for_1d (bool): Feed the 1-D regressor a detached
            heatmap, so the 1-D loss trains only the regressor (ablation).
            Defaults to False (the paper).
        loss_2d (dict): 2-D loss, called ``(pred, target, weights)``.
            Defaults to ``KeypointMSELoss(use_target_weight=True)`` (HRNet),
            which with ``weights = A_conf`` is exactly Eq. 7 with ``d`` = MSE.
        loss_1d (dict): 1-D loss, called ``((pred_x, pred_y), (target_x,
            target_y), weights)``. Defaults to
            ``ConfidenceRegularizedLoss(distance='mse')``: 1-D heatmap
            *regression*, consistent with ``HybridLabel(normalize=False)``'s
            peak-1 labels. With ``HybridLabel(normalize=True)`` use
            ``distance='kl'`` (or MMPose's ``KLDiscretLoss``).
        loss_1d_weight (float): ``lambda_s^1D`` (IV-B: 0.05). Defaults to
            0.05.
        confidence_from (str): Where ``A_conf`` (Eq. 7) comes from, for
            both branches' pseudo-labels: ``'2d'`` (the paper: the peak of
            the teacher's 2-D heatmap) or ``'1d'`` (the lower of the 1-D x/y
            peaks relative to a label's peak, see
            :func:`~hybridmatch_mmpose.models.utils.simcc_confidence`), for
            the SSL-1D ablation, where the 2-D map is not supervised and its
            peak is no confidence. Defaults to ``'2d'``.
        decode_from (str, optional): ``'1d'`` or ``'2d'``; ``None`` follows
            the decoder's ``decode_from`` (``HybridLabel``: ``'1d'``, the
            paper's output). ``test_cfg['decode_from']`` overrides both.
        decoder (dict, optional): The codec, normally ``HybridLabel``.
        init_cfg (dict, optional): Defaults to :attr:`default_init_cfg`.
    """

    def __init__(self,
                 in_channels: int = 270,
                 out_channels: int = 68,
                 input_size: Optional[Tuple[int, int]] = None,
                 heatmap_size: Optional[Tuple[int, int]] = None,
                 simcc_split_ratio: Optional[float] = None,
                 conv_out_channels: OptIntSeq = None,
                 conv_kernel_sizes: OptIntSeq = None,
                 final_layer: dict = dict(kernel_size=1),
                 hidden_dims: Optional[int] = 256,
                 detach_heatmap_for_1d: bool = False,
                 loss_2d: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 loss_1d: ConfigType = dict(
                     type='ConfidenceRegularizedLoss', distance='mse'),
                 loss_1d_weight: float = 0.05,
                 confidence_from: str = '2d',
                 decode_from: Optional[str] = None,
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None):
        if init_cfg is None:
            init_cfg = self.default_init_cfg
        super().__init__(init_cfg)

        if decode_from not in (None, '1d', '2d'):
            raise ValueError(f"decode_from must be None, '1d' or '2d', got "
                             f'{decode_from!r}')
        if confidence_from not in ('1d', '2d'):
            raise ValueError(f"confidence_from must be '1d' or '2d', got "
                             f'{confidence_from!r}')
        self.confidence_from = confidence_from
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.decoder = (KEYPOINT_CODECS.build(decoder)
                        if decoder is not None else None)
        self.input_size = tuple(self._from_decoder(input_size, 'input_size'))
        self.heatmap_size = tuple(
            self._from_decoder(heatmap_size, 'heatmap_size'))
        self.simcc_split_ratio = float(
            self._from_decoder(simcc_split_ratio, 'simcc_split_ratio'))
        self.detach_heatmap_for_1d = detach_heatmap_for_1d
        self.loss_1d_weight = loss_1d_weight
        self.decode_from = decode_from
        self.loss_2d = MODELS.build(loss_2d)
        self.loss_1d = MODELS.build(loss_1d)

        # ---- 2-D branch (as the stock HeatmapHead, no deconv) -------------
        if conv_out_channels is None:
            conv_out_channels = (in_channels, )
        if conv_kernel_sizes is None:
            conv_kernel_sizes = (1, ) * len(conv_out_channels)
        if len(conv_out_channels) != len(conv_kernel_sizes):
            raise ValueError(
                '"conv_out_channels" and "conv_kernel_sizes" should be '
                'integer sequences with the same length. Got mismatched '
                f'lengths {conv_out_channels} and {conv_kernel_sizes}')
        layers = []
        channels = in_channels
        for out_ch, kernel_size in zip(conv_out_channels, conv_kernel_sizes):
            layers += [
                build_conv_layer(
                    dict(type='Conv2d', in_channels=channels,
                         out_channels=out_ch, kernel_size=kernel_size,
                         stride=1, padding=(kernel_size - 1) // 2)),
                nn.BatchNorm2d(num_features=out_ch),
                nn.ReLU(inplace=True)
            ]
            channels = out_ch
        self.conv_layers = nn.Sequential(*layers) if layers else nn.Identity()
        cfg = dict(type='Conv2d', in_channels=channels,
                   out_channels=out_channels, kernel_size=1)
        cfg.update(final_layer)
        self.final_layer = build_conv_layer(cfg)

        # ---- 1-D regressor, fed by the predicted heatmap --------------------
        W, H = self.heatmap_size
        w, h = self.input_size
        self.simcc_size = (int(round(w * self.simcc_split_ratio)),
                           int(round(h * self.simcc_split_ratio)))
        self.regressor_1d = OneDRegressor(W * H, *self.simcc_size,
                                          hidden_dims=hidden_dims)

    def _from_decoder(self, value, name: str):
        if value is not None:
            return value
        if self.decoder is None or not hasattr(self.decoder, name):
            raise ValueError(
                f'{self.__class__.__name__}: give `{name}` or a decoder '
                f'(e.g. HybridLabel) that has it')
        return getattr(self.decoder, name)

    @property
    def default_init_cfg(self):
        # HeatmapHead's conv/BN init and SimCCHead's linear init
        return [
            dict(type='Normal', layer=['Conv2d'], std=0.001),
            dict(type='Constant', layer='BatchNorm2d', val=1),
            dict(type='Normal', layer=['Linear'], std=0.01, bias=0),
        ]

    # ------------------------------------------------------------------ net
    def forward(self, feats: Tuple[Tensor]) -> HybridOutputs:
        """Forward the network.

        Args:
            feats (Tuple[Tensor]): Multi-scale features; the last one,
                ``(N, C, H, W)``, is used.

        Returns:
            tuple: ``heatmaps (N, K, H, W)``, ``simcc_x (N, K, Wx)``,
            ``simcc_y (N, K, Wy)``.
        """
        heatmaps = self.final_layer(self.conv_layers(feats[-1]))
        W, H = self.heatmap_size
        if tuple(heatmaps.shape[-2:]) != (H, W):
            raise ValueError(
                f'{self.__class__.__name__}: predicted heatmaps are '
                f'{tuple(heatmaps.shape[-2:])} (H, W) but the 1-D regressor '
                f'was built for heatmap_size (W, H) = {self.heatmap_size}')
        hm = heatmaps.detach() if self.detach_heatmap_for_1d else heatmaps
        simcc_x, simcc_y = self.regressor_1d(hm)
        return heatmaps, simcc_x, simcc_y

    # ---------------------------------------------------------------- losses
    def loss_by_targets(self,
                        outputs: HybridOutputs,
                        targets: HybridOutputs,
                        weights_2d: Tensor,
                        weights_1d: Optional[Tensor] = None,
                        loss_1d_weight: Optional[float] = None) -> dict:
        """``L^2D + lambda^1D * L^1D`` for given targets (Eq. 4 and Eq. 5).

        The one place both losses are computed, for labelled data
        (:meth:`loss`) and for unlabelled data with pseudo-labels
        (:meth:`pseudo_labels`, Eq. 7 with ``weights = A_conf``).

        Args:
            outputs (tuple): :meth:`forward`'s ``(heatmaps, simcc_x,
                simcc_y)`` (of the student).
            targets (tuple): ``(heatmaps (N, K, H, W), x_labels (N, K, Wx),
                y_labels (N, K, Wy))``.
            weights_2d (Tensor): ``(N, K)``: ``keypoint_weights`` or
                ``A_conf``.
            weights_1d (Tensor, optional): ``(N, K)``; defaults to
                ``weights_2d`` (the paper's 2-D ``A_conf`` for both).
            loss_1d_weight (float, optional): ``lambda^1D``; defaults to
                ``self.loss_1d_weight`` (``lambda_s^1D``). Pass the ramped
                ``lambda_u^1D(i)`` (Eq. 6) for unlabelled data.

        Returns:
            dict: ``loss_2d`` and ``loss_1d`` (already multiplied by
            ``lambda^1D``); their sum is the objective.
        """
        heatmaps, pred_x, pred_y = outputs
        gt_heatmaps, gt_x, gt_y = targets
        if weights_1d is None:
            weights_1d = weights_2d
        if loss_1d_weight is None:
            loss_1d_weight = self.loss_1d_weight
        loss_2d = self.loss_2d(heatmaps, gt_heatmaps, weights_2d)
        loss_1d = self.loss_1d((pred_x, pred_y), (gt_x, gt_y), weights_1d)
        return dict(loss_2d=loss_2d, loss_1d=loss_1d * loss_1d_weight)

    def loss(self,
             feats: Tuple[Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Supervised loss (Eq. 4) from ``HybridLabel``-encoded samples.

        Reads ``gt_fields.heatmaps`` (K, H, W) and ``gt_instance_labels``
        ``keypoint_x_labels``, ``keypoint_y_labels``, ``keypoint_weights``.

        Returns:
            dict: ``loss_2d``, ``loss_1d`` (weighted by ``loss_1d_weight``)
            and, unless ``train_cfg['compute_acc']`` is False, ``acc_pose``.
        """
        return self.loss_by_outputs(self.forward(feats), batch_data_samples,
                                    train_cfg)

    def loss_by_outputs(self,
                        outputs: HybridOutputs,
                        batch_data_samples: OptSampleList,
                        train_cfg: ConfigType = {}) -> dict:
        """:meth:`loss` for already computed :meth:`forward` outputs
        (``(N, K, H, W)``, ``(N, K, Wx)``, ``(N, K, Wy)``) of the N samples
        (the estimator's joint student forward)."""
        gt_heatmaps = torch.stack(
            [d.gt_fields.heatmaps for d in batch_data_samples])
        labels = [d.gt_instance_labels for d in batch_data_samples]
        gt_x = torch.cat([lb.keypoint_x_labels for lb in labels])
        gt_y = torch.cat([lb.keypoint_y_labels for lb in labels])
        weights = torch.cat([lb.keypoint_weights for lb in labels])

        losses = self.loss_by_targets(outputs, (gt_heatmaps, gt_x, gt_y),
                                      weights)
        if train_cfg.get('compute_acc', True):
            _, avg_acc, _ = pose_pck_accuracy(
                output=to_numpy(outputs[0]),
                target=to_numpy(gt_heatmaps),
                mask=to_numpy(weights) > 0)
            losses['acc_pose'] = torch.tensor(
                avg_acc, device=gt_heatmaps.device)
        return losses

    @torch.no_grad()
    def pseudo_labels(self, outputs: HybridOutputs,
                      hard: bool = True,
                      subpixel: bool = True) -> Tuple[HybridOutputs, Tensor]:
        """Pseudo-labels and ``A_conf`` from the teacher's outputs (III-C-3).

        Hard (the paper): each representation's keypoint location
        re-rendered as a Gaussian exactly as the decoder renders ground
        truth (2-D: ``sigma``, ``unbiased``; 1-D: ``simcc_sigma``,
        ``normalize``). With ``subpixel`` (default) the location is that
        representation's sub-pixel peak as the decoder locates it (2-D:
        ``heatmap_peaks``; 1-D: ``decode_simcc``, both an argmax refined by
        a Gaussian fit), see :meth:`decoded_locations`; else
        the whole-cell argmax, the paper's literal wording, which at a
        16x16 map is far coarser than the sub-pixel labels the student
        also learns from. Soft (Table 7): the 2-D heatmaps
        themselves; for 1-D ``softmax(beta * output)`` when the 1-D loss is a
        KL divergence, the raw output otherwise. ``A_conf`` is the peak of
        the teacher's 2-D heatmap in both cases, for both branches
        (``confidence_from='2d'``, the paper), or :meth:`confidence_1d`
        (``confidence_from='1d'``).

        Args:
            outputs (tuple): the teacher's :meth:`forward` output on the weak
                view.
            hard (bool): Hard (default) or soft labels.
            subpixel (bool): Hard labels at the decoded sub-pixel location
                (default) or at the whole-cell argmax.

        Returns:
            tuple: ``(targets, confidence)``, ``targets`` being ``(heatmaps,
            x_labels, y_labels)`` as :meth:`loss_by_targets` takes them and
            ``confidence`` the ``(N, K)`` ``A_conf``; no tensor requires grad.
        """
        heatmaps, simcc_x, simcc_y = outputs
        if hard:
            for name in ('sigma', 'simcc_sigma'):
                if not hasattr(self.decoder, name):
                    raise ValueError(
                        f'{self.__class__.__name__}: hard pseudo-labels need '
                        f'the decoder\'s `{name}` (use HybridLabel)')
            loc_2d = loc_1d = None
            if subpixel:
                loc_2d, loc_1d = self.decoded_locations(outputs)
            hm_t, conf = hard_heatmap_labels(
                heatmaps, float(self.decoder.sigma),
                unbiased=getattr(self.decoder, 'unbiased', False),
                locations=loc_2d)
            sx, sy = (float(s) for s in self.decoder.simcc_sigma)
            normalize = getattr(self.decoder, 'normalize', False)
            x_t = hard_simcc_labels(
                simcc_x, sx, normalize=normalize,
                locations=None if loc_1d is None else loc_1d[..., 0])
            y_t = hard_simcc_labels(
                simcc_y, sy, normalize=normalize,
                locations=None if loc_1d is None else loc_1d[..., 1])
        else:
            hm_t, conf = soft_heatmap_labels(heatmaps)
            x_t = soft_simcc_labels(simcc_x, beta=self._beta_1d,
                                    normalize=self._is_kl_1d)
            y_t = soft_simcc_labels(simcc_y, beta=self._beta_1d,
                                    normalize=self._is_kl_1d)
        if self.confidence_from == '1d':
            conf = self.confidence_1d(simcc_x, simcc_y)
        return (hm_t, x_t, y_t), conf

    @torch.no_grad()
    def decoded_locations(self,
                          outputs: HybridOutputs) -> Tuple[Tensor, Tensor]:
        """Each representation's sub-pixel keypoints, in that
        representation's own units (where hard labels are drawn).

        Args:
            outputs (tuple): ``(heatmaps (N, K, H, W), simcc_x (N, K, Wx),
                simcc_y (N, K, Wy))``.

        Returns:
            tuple: ``(N, K, 2)`` float32 ``(x, y)`` locations: in heatmap
            pixels from ``decoder.heatmap_peaks`` (argmax + Gaussian fit,
            exact on a clean label), and in 1-D bins from
            ``decoder.decode_simcc`` (the same fit on each axis). Where the
            1-D decoding finds no maximum (all values ``<= 0``) the argmax
            bin is used.
        """
        for name in ('heatmap_peaks', 'decode_simcc'):
            if not hasattr(self.decoder, name):
                raise ValueError(
                    f'{self.__class__.__name__}: sub-pixel pseudo-labels '
                    f'need the decoder\'s `{name}` (use HybridLabel), or set '
                    'semi_train_cfg.hard_label_position=\'argmax\'')
        heatmaps, simcc_x, simcc_y = outputs
        loc_2d = self.decoder.heatmap_peaks(to_numpy(heatmaps))
        keypoints, _ = self.decoder.decode_simcc(to_numpy(simcc_x),
                                                 to_numpy(simcc_y))
        loc_1d = keypoints * self.simcc_split_ratio
        argmax_1d = np.stack([to_numpy(simcc_x.argmax(-1)),
                              to_numpy(simcc_y.argmax(-1))], axis=-1)
        loc_1d = np.where(keypoints < 0, argmax_1d, loc_1d)
        return (heatmaps.new_tensor(loc_2d, dtype=torch.float32),
                heatmaps.new_tensor(loc_1d, dtype=torch.float32))

    @property
    def _is_kl_1d(self) -> bool:
        return isinstance(self.loss_1d, KLDiscretLoss) or (
            isinstance(self.loss_1d, ConfidenceRegularizedLoss)
            and self.loss_1d.distance == 'kl')

    @property
    def _beta_1d(self) -> float:
        return float(getattr(self.loss_1d, 'beta', 1.0))

    @torch.no_grad()
    def confidence_1d(self, simcc_x: Tensor, simcc_y: Tensor) -> Tensor:
        """``A_conf`` ``(N, K)`` from the teacher's 1-D outputs ``(N, K, Wx)``
        and ``(N, K, Wy)`` (``confidence_from='1d'``).

        The outputs are taken in the space the 1-D loss compares
        (``softmax(beta * output)`` for a KL loss, raw otherwise) and each
        axis' peak is divided by the peak of a 1-D label of that axis: 1
        for the codec's peak-1 labels (``normalize=False``), ``1 / (sigma
        sqrt(2 pi))`` for normalised ones (and always for KL, whose target
        is a distribution).
        """
        sx, sy = (float(s) for s in self.decoder.simcc_sigma)
        normalized = self._is_kl_1d or getattr(self.decoder, 'normalize',
                                               False)

        def peak(sigma: float) -> float:
            return 1. / (sigma * math.sqrt(2 * math.pi)) if normalized else 1.

        if self._is_kl_1d:
            simcc_x = torch.softmax(simcc_x * self._beta_1d, dim=-1)
            simcc_y = torch.softmax(simcc_y * self._beta_1d, dim=-1)
        return simcc_confidence(simcc_x, simcc_y, peak(sx), peak(sy))

    # ------------------------------------------------------------- predict
    def predict(self,
                feats: Features,
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Predict keypoints, decoded from the 1-D output by default.

        With ``test_cfg['flip_test']``, ``feats`` is ``[orig, flipped]``; the
        flipped outputs are flipped back (``flip_heatmaps`` with
        ``test_cfg['flip_mode']`` / ``['shift_heatmap']`` for 2-D,
        ``flip_vectors`` for 1-D) and averaged with the originals, for both
        branches.

        Returns:
            list[InstanceData] (``keypoints`` (1, K, 2) in input pixels,
            ``keypoint_scores`` (1, K)), and with
            ``test_cfg['output_heatmaps']`` also a list of ``PixelData``
            with the (averaged) 2-D ``heatmaps`` (K, H, W).
        """
        if test_cfg.get('flip_test', False):
            assert isinstance(feats, list) and len(feats) == 2
            flip_indices = batch_data_samples[0].metainfo['flip_indices']
            _feats, _feats_flip = feats
            hm, x, y = self.flip_average(
                self.forward(_feats), self.forward(_feats_flip),
                flip_indices, test_cfg)
        else:
            hm, x, y = self.forward(feats)

        preds = self.decode_outputs((hm, x, y),
                                    test_cfg.get('decode_from', None))
        if test_cfg.get('output_heatmaps', False):
            return preds, [PixelData(heatmaps=h) for h in hm.detach()]
        return preds

    @staticmethod
    def flip_average(outputs: HybridOutputs, flipped: HybridOutputs,
                     flip_indices: Sequence[int],
                     test_cfg: ConfigType = {}) -> HybridOutputs:
        """The mean of ``outputs`` and ``flipped`` (the outputs for the
        horizontally flipped input) flipped back: MMPose's
        ``flip_heatmaps`` (``test_cfg['flip_mode']``,
        ``['shift_heatmap']``) for the 2-D maps, ``flip_vectors`` for the
        1-D vectors, as the flip test does.

        Args:
            outputs (tuple): ``(heatmaps (N, K, H, W), simcc_x (N, K, Wx),
                simcc_y (N, K, Wy))``.
            flipped (tuple): the same for the flipped input.
            flip_indices (Sequence[int]): the keypoint each keypoint
                becomes when the image is flipped (``K``).
            test_cfg (dict): ``flip_mode`` / ``shift_heatmap``.

        Returns:
            tuple: the averaged ``(heatmaps, simcc_x, simcc_y)``.
        """
        hm, x, y = outputs
        hm_f, x_f, y_f = flipped
        hm_f = flip_heatmaps(
            hm_f,
            flip_mode=test_cfg.get('flip_mode', 'heatmap'),
            flip_indices=flip_indices,
            shift_heatmap=test_cfg.get('shift_heatmap', False))
        x_f, y_f = flip_vectors(x_f, y_f, flip_indices=flip_indices)
        return (hm + hm_f) * 0.5, (x + x_f) * 0.5, (y + y_f) * 0.5

    def decode(self, batch_outputs: HybridOutputs) -> InstanceList:
        """:meth:`decode_outputs` with the default ``decode_from`` (our
        outputs are ``(heatmaps, x, y)``, not what ``BaseHead.decode`` would
        hand to the codec)."""
        return self.decode_outputs(batch_outputs)

    def decode_outputs(self, outputs: HybridOutputs,
                       decode_from: Optional[str] = None) -> InstanceList:
        """Decode ``(heatmaps, simcc_x, simcc_y)`` per sample with the
        decoder: ``decode_simcc`` (or ``decode``) for ``'1d'``,
        ``decode_heatmap`` for ``'2d'``. ``decode_from`` defaults to the
        head's, then to the decoder's, then ``'1d'``."""
        if self.decoder is None:
            raise RuntimeError(
                f'The decoder has not been set in {self.__class__.__name__}.')
        decode_from = (decode_from or self.decode_from
                       or getattr(self.decoder, 'decode_from', '1d'))
        heatmaps, simcc_x, simcc_y = outputs
        if decode_from == '2d':
            results = [self.decoder.decode_heatmap(hm)
                       for hm in to_numpy(heatmaps)]
        elif decode_from == '1d':
            decode = getattr(self.decoder, 'decode_simcc', self.decoder.decode)
            results = [decode(sx, sy) for sx, sy in zip(
                to_numpy(simcc_x), to_numpy(simcc_y))]
        else:
            raise ValueError(f"decode_from must be '1d' or '2d', got "
                             f'{decode_from!r}')
        preds = []
        for keypoints, scores in results:
            K = keypoints.shape[-2]
            preds.append(InstanceData(
                keypoints=keypoints.reshape(1, K, -1),
                keypoint_scores=scores.reshape(1, K)))
        return preds
