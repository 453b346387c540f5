from .hybridmatch_hook import HybridMatchHook, ema_update, lambda_u_1d_at

__all__ = ['HybridMatchHook', 'ema_update', 'lambda_u_1d_at']
