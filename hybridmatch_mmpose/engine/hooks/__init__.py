from .hybridmatch_hook import (EMATensorPairs, HybridMatchHook,
                               ema_tensor_pairs, ema_update, lambda_u_1d_at,
                               lambda_u_at)

__all__ = [
    'EMATensorPairs', 'HybridMatchHook', 'ema_tensor_pairs', 'ema_update',
    'lambda_u_1d_at', 'lambda_u_at'
]
