"""Adam (Kingma & Ba) with bias correction, descending on a dict of float64 arrays.

    m_t = b1 m_{t-1} + (1 - b1) g_t,      v_t = b2 v_{t-1} + (1 - b2) g_t^2
    theta_t = theta_{t-1} - lr * (m_t / (1 - b1^t)) / (sqrt(v_t / (1 - b2^t)) + eps)

Defaults are PyTorch's (b1, b2) = (0.9, 0.999), eps = 1e-8.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["Adam"]


class Adam:
    """Adam state for ``params`` (dict of arrays, updated in place by :meth:`Adam.step`)."""

    def __init__(self, params: dict, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = params
        self.lr, self.eps = float(lr), float(eps)
        self.b1, self.b2 = (float(b) for b in betas)
        self.t = 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self._work = {}

    def step(self, grads: dict) -> None:
        """One descent step along ``grads`` (same keys and shapes as ``params``).

        In place with preallocated work arrays: m += (1-b1)(g-m), v += (1-b2)(g^2-v),
        theta -= (lr/c1) m / (sqrt(v)/sqrt(c2) + eps), with c_i = 1 - b_i^t.
        """
        self.t += 1
        c1 = 1.0 - self.b1 ** self.t
        c2 = 1.0 - self.b2 ** self.t
        for k, p in self.params.items():
            g = grads[k]
            m = self.m[k]
            v = self.v[k]
            w = self._work.get(k)
            if w is None:
                w = self._work[k] = np.empty_like(p)
            np.subtract(g, m, out=w)
            w *= 1.0 - self.b1
            m += w
            np.multiply(g, g, out=w)
            w -= v
            w *= 1.0 - self.b2
            v += w
            np.sqrt(v, out=w)
            w *= 1.0 / math.sqrt(c2)
            w += self.eps
            np.divide(m, w, out=w)
            w *= self.lr / c1
            p -= w
