"""Linear-ReLU-Linear MLP with hand-written forward and backward passes (float64).

    z = x W1^T + b1      (B, H)
    h = relu(z)          (B, H)
    y = h W2^T + b2      (B, n_out)

``x`` is a batch of row samples ``(B, n_in)``; the parameter gradients of ``backward`` are summed
over the batch (the shared-weight, row-wise use of GMML). Initialisation as PyTorch's
``nn.Linear``: every weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""
from __future__ import annotations

import numpy as np

__all__ = ["MLP"]


class MLP:
    """Two-layer perceptron; ``params`` is a dict ``W1 (H, n_in), b1 (H,), W2 (n_out, H), b2 (n_out,)``
    of views into the flat parameter vector ``theta``."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, rng: np.random.Generator):
        self.n_in, self.n_hidden, self.n_out = int(n_in), int(n_hidden), int(n_out)
        H, I, O = self.n_hidden, self.n_in, self.n_out
        self.shapes = {"W1": (H, I), "b1": (H,), "W2": (O, H), "b2": (O,)}
        sizes = [int(np.prod(sh)) for sh in self.shapes.values()]
        self._offsets = np.concatenate([[0], np.cumsum(sizes)])
        #: all parameters in one flat vector; ``params`` holds reshaped views into it
        self.theta = np.empty(int(self._offsets[-1]))
        self.params = self._views(self.theta)
        self._out_views = None
        b1 = 1.0 / np.sqrt(I)
        b2 = 1.0 / np.sqrt(H)
        self.params["W1"][...] = rng.uniform(-b1, b1, (H, I))
        self.params["b1"][...] = rng.uniform(-b1, b1, H)
        self.params["W2"][...] = rng.uniform(-b2, b2, (O, H))
        self.params["b2"][...] = rng.uniform(-b2, b2, O)

    def __getstate__(self):
        """Pickled / copied without the cached views of a gradient buffer (they would be copies)."""
        state = dict(self.__dict__)
        state["_out_views"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.params = self._views(self.theta)      # views into this copy's own theta

    def _views(self, flat: np.ndarray) -> dict:
        return {k: flat[self._offsets[i]:self._offsets[i + 1]].reshape(sh)
                for i, (k, sh) in enumerate(self.shapes.items())}

    def forward(self, x: np.ndarray):
        """Return ``(y (B, n_out), cache)``; ``x`` is ``(B, n_in)`` (a 1-D ``x`` is one sample)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        p = self.params
        z = x @ p["W1"].T + p["b1"]
        h = np.maximum(z, 0.0)
        y = h @ p["W2"].T + p["b2"]
        return y, (x, z, h)

    def __call__(self, x):
        return self.forward(x)[0]

    def backward(self, delta: np.ndarray, cache, out: np.ndarray | None = None) -> dict:
        """Parameter gradients of ``sum(delta * y)`` (summed over the batch), as a dict of arrays
        that are views into one flat vector laid out like :attr:`theta` (``out`` if given, which
        is then incremented rather than overwritten).

        dW2 = delta^T h, db2 = sum delta, dz = (delta W2) * [z > 0], dW1 = dz^T x, db1 = sum dz.
        """
        x, z, h = cache
        delta = np.atleast_2d(np.asarray(delta, dtype=float))
        dz = (delta @ self.params["W2"]) * (z > 0)
        if out is None:
            g = self._views(np.zeros_like(self.theta))
        else:                                  # the views of the caller's buffer, made once
            hit = self._out_views
            if hit is None or hit[0] is not out:
                hit = self._out_views = (out, self._views(out))
            g = dict(hit[1])                   # the caller may rebind its keys
        if delta.shape[0] == 1 and x.shape[0] == 1:
            # one sample: each entry of dz^T x and delta^T h is one product, so the outer products
            # are the matmuls' numbers (tested) at a fifth of their time for these shapes
            g["W1"] += np.multiply.outer(dz[0], x[0])
            g["b1"] += dz[0]
            g["W2"] += np.multiply.outer(delta[0], h[0])
            g["b2"] += delta[0]
            return g
        g["W1"] += dz.T @ x
        g["b1"] += dz.sum(axis=0)
        g["W2"] += delta.T @ h
        g["b2"] += delta.sum(axis=0)
        return g
