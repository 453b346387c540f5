"""RandomCutout: one centred, clipped square hole (DeVries & Taylor 2017).

The last step of HybridMatch's strong view (Sec. III-C-1, FixMatch's
"Cutout"). Why not ``mmdet.CutOut``: it draws the hole's *top-left* corner
uniformly and clips at the bottom/right only, so for a hole of half the
side a pixel row/column is covered with probability 1/w at the top/left
border but 1/2 at the centre and at the bottom/right border: on an aligned
face crop the brows and the left jaw line would almost never be occluded.
Cutout, and ``mmcv.cutout`` used here, draw the hole's *centre* uniformly
and clip it at every border, so coverage is symmetric (per axis, 1/4 at
either border and 1/2 at the centre for a half-side hole).

The hole side is a fraction of the input side, fixed or drawn uniformly per
image from a range (FixMatch: L in [0, 0.5] of the image width, grey fill).
"""
from typing import Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmpose.registry import TRANSFORMS

from ...utils.options import strict_options


@TRANSFORMS.register_module()
class RandomCutout(BaseTransform):
    """Fill one square hole, centred at a uniform random pixel and clipped
    at the image border, with a constant colour.

    Required keys: ``img``. Modified keys: ``img``.

    Args:
        ratio (float | tuple[float, float]): hole side as a fraction of the
            image side (``h * ratio`` by ``w * ratio``), or a ``(low, high)``
            range it is drawn from uniformly per image. Defaults to
            ``(0.0, 0.5)`` (FixMatch).
        prob (float): probability of applying the hole. Defaults to 1.0.
        fill_in (int | tuple[int, int, int]): fill colour. Defaults to grey
            ``(128, 128, 128)``.
    """

    @strict_options
    def __init__(self,
                 ratio: Union[float, Sequence[float]] = (0.0, 0.5),
                 prob: float = 1.0,
                 fill_in: Union[int, Tuple[int, int, int]] = (128, 128, 128)
                 ) -> None:
        if isinstance(ratio, (int, float)):
            ratio = (float(ratio), float(ratio))
        ratio = tuple(float(r) for r in ratio)
        if len(ratio) != 2 or not 0.0 <= ratio[0] <= ratio[1] <= 1.0:
            raise ValueError('ratio must be a fraction in [0, 1] or a '
                             f'(low, high) range in [0, 1], got {ratio}')
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.ratio = ratio
        self.prob = prob
        if isinstance(fill_in, list):
            fill_in = tuple(fill_in)
        self.fill_in = fill_in

    @cache_randomness
    def _get_ratio(self) -> float:
        if np.random.rand() >= self.prob:
            return 0.0
        low, high = self.ratio
        return low if low == high else float(np.random.uniform(low, high))

    def transform(self, results: dict) -> dict:
        ratio = self._get_ratio()
        if ratio <= 0.0:
            return results
        img = results['img']
        h, w = img.shape[:2]
        shape = (int(round(h * ratio)), int(round(w * ratio)))
        results['img'] = mmcv.cutout(img, shape, pad_val=self.fill_in)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(ratio={self.ratio}, '
                f'prob={self.prob}, fill_in={self.fill_in})')
