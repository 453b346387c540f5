"""The plain top-down model config inside a semi-supervised one."""
import copy


_FLAT_KEYS = ('backbone', 'neck', 'head', 'train_cfg', 'test_cfg',
              'metainfo')


def plain_detector_config(model_cfg: dict) -> dict:
    """The plain top-down config inside a semi-supervised model config.

    Args:
        model_cfg (dict): ``cfg.model`` of a semi-supervised config, flat
            (``backbone`` / ``head`` / ... at the top level) or nested
            (``detector=dict(...)``).

    Returns:
        dict: A new ``TopdownPoseEstimator`` config (``type``, ``backbone``,
        ``neck``, ``head``, ``train_cfg``, ``test_cfg``, ``metainfo`` as
        given) whose ``data_preprocessor`` is the inner preprocessor of the
        semi model's ``mmdet.MultiBranchDataPreprocessor`` (when the plain
        config has none of its own).
    """
    flat = {k: model_cfg.get(k) for k in _FLAT_KEYS
            if model_cfg.get(k) is not None}
    detector = model_cfg.get('detector')
    if detector is not None and flat:
        raise ValueError(
            'give the plain model either as `detector=dict(...)` or flat '
            f'(`backbone`, `head`, ...), not both (got detector and '
            f'{sorted(flat)})')
    if detector is None:
        if 'backbone' not in flat or 'head' not in flat:
            raise ValueError(
                'the model config needs `backbone` and `head` (or a nested '
                '`detector=dict(...)`)')
        detector = dict(type='TopdownPoseEstimator', **flat)
    plain = copy.deepcopy(dict(detector))
    outer = model_cfg.get('data_preprocessor')
    if plain.get('data_preprocessor') is None and isinstance(outer, dict):
        inner = outer.get('data_preprocessor') if str(outer.get(
            'type', '')).endswith('MultiBranchDataPreprocessor') else outer
        if inner is not None:
            plain['data_preprocessor'] = copy.deepcopy(dict(inner))
    return plain
