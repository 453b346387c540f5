"""ConfidenceRegularizedLoss (paper Eq. 7) against hand-written loops."""
import numpy as np
import pytest
import torch
from mmpose.models.losses import KeypointMSELoss, KLDiscretLoss
from mmpose.registry import MODELS

import hybridmatch_mmpose  # noqa: F401  (registers the loss)
from hybridmatch_mmpose.models.losses import ConfidenceRegularizedLoss

N, K = 3, 5


def _loop(pred, target, conf, distance, beta=1.0, label_softmax=False,
          label_beta=10.0):
    """Eq. 7 written out, in float64 numpy, one keypoint at a time."""
    pred, target, conf = (np.asarray(a, dtype=np.float64)
                          for a in (pred, target, conf))
    total = 0.
    for n in range(pred.shape[0]):
        for m in range(pred.shape[1]):
            p, t = pred[n, m].ravel(), target[n, m].ravel()
            if distance == 'mse':
                d = np.mean((p - t)**2)
            else:
                z = beta * p
                log_q = z - z.max() - np.log(np.exp(z - z.max()).sum())
                if label_softmax:
                    e = np.exp(label_beta * t - (label_beta * t).max())
                    t = e / e.sum()
                safe = np.where(t > 0, t, 1.)
                d = np.mean(np.where(t > 0, t * (np.log(safe) - log_q), 0.))
            total += conf[n, m] * d
    return total / (pred.shape[0] * pred.shape[1])


def _data(shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    pred = torch.randn(*shape, generator=g)
    target = torch.rand(*shape, generator=g)
    conf = torch.rand(shape[0], shape[1], generator=g)
    conf[0, 1] = 0.
    return pred, target, conf


@pytest.mark.parametrize('shape', [(N, K, 16, 16), (N, K, 64)])
def test_mse_equals_loop(shape):
    pred, target, conf = _data(shape)
    loss = ConfidenceRegularizedLoss(distance='mse', loss_weight=2.0)
    got = loss(pred, target, conf)
    assert got.dim() == 0
    np.testing.assert_allclose(
        got.item(), 2.0 * _loop(pred, target, conf, 'mse'), rtol=1e-5)


@pytest.mark.parametrize('beta,label_softmax', [(1.0, False), (10., True)])
def test_kl_equals_loop(beta, label_softmax):
    pred, target, conf = _data((N, K, 64))
    # a normalised SimCC-like target with exact zeros
    target = target * (target > 0.3)
    target = target / target.sum(-1, keepdim=True)
    loss = ConfidenceRegularizedLoss(
        distance='kl', beta=beta, label_softmax=label_softmax)
    got = loss(pred, target, conf)
    np.testing.assert_allclose(
        got.item(),
        _loop(pred, target, conf, 'kl', beta, label_softmax), rtol=1e-5)


def test_pair_input_sums_axes_and_matches_mmpose_losses():
    px, tx, conf = _data((N, K, 64), seed=1)
    py, ty, _ = _data((N, K, 48), seed=2)
    tx, ty = tx / tx.sum(-1, keepdim=True), ty / ty.sum(-1, keepdim=True)
    ones = torch.ones(N, K)
    for distance in ('mse', 'kl'):
        loss = ConfidenceRegularizedLoss(distance=distance)
        torch.testing.assert_close(
            loss((px, py), (tx, ty), conf),
            loss(px, tx, conf) + loss(py, ty, conf))
    # KLDiscretLoss sums over samples; we average (Eq. 7)
    kl = ConfidenceRegularizedLoss(distance='kl')
    ref = KLDiscretLoss(use_target_weight=True)((px, py), (tx, ty), conf)
    torch.testing.assert_close(kl((px, py), (tx, ty), conf) * N, ref)
    # with 0/1 weights, 'mse' is HRNet's KeypointMSELoss
    hm, thm, _ = _data((N, K, 16, 16))
    w = (conf > 0.5).float()
    torch.testing.assert_close(
        ConfidenceRegularizedLoss()(hm, thm, w),
        KeypointMSELoss(use_target_weight=True)(hm, thm, w))
    torch.testing.assert_close(
        ConfidenceRegularizedLoss()(hm, thm, ones),
        KeypointMSELoss()(hm, thm))


@pytest.mark.parametrize('distance', ['mse', 'kl'])
def test_zero_confidence_contributes_nothing(distance):
    pred, target, conf = _data((N, K, 64))
    pred.requires_grad_(True)
    loss = ConfidenceRegularizedLoss(distance=distance)
    out = loss(pred, target, conf)
    out.backward()
    assert torch.all(pred.grad[0, 1] == 0)  # conf[0, 1] == 0: exactly 0
    assert pred.grad[0, 0].abs().sum() > 0
    # changing that keypoint's prediction does not change the loss
    pred2 = pred.detach().clone()
    pred2[0, 1] += 100.
    torch.testing.assert_close(loss(pred2, target, conf), out.detach())
    # all-zero confidence -> zero loss
    assert loss(pred, target, torch.zeros(N, K)).item() == 0.


def test_confidence_is_detached():
    pred, target, conf = _data((N, K, 8, 8))
    conf.requires_grad_(True)
    ConfidenceRegularizedLoss()(pred.requires_grad_(), target, conf).backward()
    assert conf.grad is None


def test_shape_errors_name_the_shapes():
    loss = ConfidenceRegularizedLoss()
    with pytest.raises(ValueError, match=r'\(3, 5, 16, 16\).*\(3, 5, 8, 8\)'):
        loss(torch.zeros(3, 5, 16, 16), torch.zeros(3, 5, 8, 8),
             torch.ones(3, 5))
    with pytest.raises(ValueError, match=r'\(3, 5\).*\(3, 4\)'):
        loss(torch.zeros(3, 5, 64), torch.zeros(3, 5, 64), torch.ones(3, 4))
    with pytest.raises(ValueError, match='same shape'):
        loss(torch.zeros(3, 5), torch.zeros(3, 5), torch.ones(3, 5))
    with pytest.raises(ValueError, match='sequences'):
        loss((torch.zeros(3, 5, 4), ), torch.zeros(3, 5, 4), torch.ones(3, 5))
    with pytest.raises(ValueError, match='distance'):
        ConfidenceRegularizedLoss(distance='l1')


def test_registered():
    loss = MODELS.build(dict(type='ConfidenceRegularizedLoss', distance='kl',
                             beta=2.0))
    assert isinstance(loss, ConfidenceRegularizedLoss) and loss.beta == 2.0
