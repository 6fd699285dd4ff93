r"""Semidefinite relaxation (SDR) helpers: rank-one extraction and the max-min quadratic-form step.

Lifting ``X = w w^H`` turns a quadratic form ``w^H A w`` into the linear ``tr(A X)``; dropping
``rank X = 1`` gives a convex SDP whose optimum bounds the original problem. A rank-one point
is then extracted from the SDP solution ``X = U diag(lambda) U^H``:

* principal eigenvector ``sqrt(lambda_1) u_1`` when ``lambda_2 / lambda_1 < rank_tol`` (the
  relaxation is tight);
* otherwise Gaussian randomisation: draws ``xi = U diag(lambda)^{1/2} z``, ``z ~ CN(0, I)``
  (``eigh``, not Cholesky, so a singular ``X`` is fine), each scaled to feasibility, the best
  true objective kept (the principal candidate competes too).

:func:`sdr_maxmin` is the multicast-type step

    max_w  min_k  w^H A_k w / sigma^2    s.t.  ||w||^2 <= P       (A_k Hermitian PSD, (N, N))

relaxed to ``max t  s.t.  tr(A_k X) >= sigma^2 t,  tr X <= P,  X >= 0``. Its upper bound is
certified by weak duality: for any ``y`` in the simplex,
``min_k w^H A_k w <= sum_k y_k w^H A_k w <= P lambda_max(sum_k y_k A_k)``, evaluated at the
normalised dual variables of the SDP (so solver tolerance cannot make it fall below the
optimum).
"""
from __future__ import annotations

import math

import numpy as np

from ..core.cvx import solve_cvx
from ..core.rng import as_generator
from ..core.validate import fail, require_count, require_real

__all__ = ["gaussian_randomization", "principal_or_random", "sdr_maxmin"]


def gaussian_randomization(Ws, score, scale, rng, M=200):
    """Gaussian randomisation for a list of PSD matrices ``Ws`` (each (N, N)).

    Draws ``xi_k = U_k Lambda_k^{1/2} z_k``, ``z_k ~ CN(0, I_N)``, for every k, stacks them as
    columns (N, K), applies ``scale(X) -> X`` (feasibility scaling) and keeps the best
    ``score(X)``.

    Parameters
    ----------
    Ws : list of numpy.ndarray
        PSD matrices, each (N, N) (one lifted beamformer per stream).
    score : callable
        ``score(X) -> float`` of a candidate X (N, K); larger is better.
    scale : callable
        ``scale(X) -> X``, the feasibility scaling.
    rng : int or numpy.random.Generator
        Random source.
    M : int, default 200
        Number of random draws.

    Returns
    -------
    tuple
        (best X (N, K), best score).
    """
    rng = as_generator(rng)
    facs = []
    for W in Ws:
        lam, U = np.linalg.eigh(0.5 * (W + W.conj().T))
        facs.append(U * np.sqrt(np.maximum(lam, 0.0)))
    best, best_s = None, -math.inf
    N = Ws[0].shape[0]
    for _ in range(int(M)):
        X = np.stack([F @ ((rng.standard_normal(N) + 1j * rng.standard_normal(N)) / math.sqrt(2))
                      for F in facs], axis=1)
        X = scale(X)
        s = float(score(X))
        if s > best_s:
            best, best_s = X, s
    return best, best_s


def principal_or_random(Ws, score, scale, rng, M=200, rank_tol=1e-6):
    """Rank-one extraction from lifted matrices: principal eigenvectors or Gaussian randomisation.

    When every ``lambda_2 / lambda_1 < rank_tol`` the columns ``sqrt(lambda_1) u_1`` are used;
    otherwise :func:`gaussian_randomization` runs and the principal candidate competes with its
    draws.

    Parameters
    ----------
    Ws : list of numpy.ndarray
        PSD matrices, each (N, N).
    score : callable
        ``score(X) -> float`` of a candidate X (N, K); larger is better.
    scale : callable
        ``scale(X) -> X``, the feasibility scaling.
    rng : int or numpy.random.Generator
        Random source of the randomisation.
    M : int, default 200
        Number of Gaussian draws.
    rank_tol : float, default 1e-6
        Eigenvalue-ratio threshold of the rank-one test.

    Returns
    -------
    tuple
        (X (N, K), its score, the largest ratio lambda_2/lambda_1, whether randomisation ran).
    """
    cols, ratios = [], []
    for W in Ws:
        lam, U = np.linalg.eigh(0.5 * (W + W.conj().T))
        lam = np.maximum(lam, 0.0)
        ratios.append(float(lam[-2] / lam[-1]) if len(lam) > 1 and lam[-1] > 0 else 0.0)
        cols.append(math.sqrt(lam[-1]) * U[:, -1])
    X = scale(np.stack(cols, axis=1))
    s = float(score(X))
    ratio = max(ratios)
    if ratio < rank_tol:
        return X, s, ratio, False
    Xr, sr = gaussian_randomization(Ws, score, scale, rng, M)
    if sr > s:
        return Xr, sr, ratio, True
    return X, s, ratio, True


def _min_snr(A, w, noise):
    return float(np.min(np.real(np.einsum("i,kij,j->k", w.conj(), A, w)))) / noise


def sdr_maxmin(A_list, power, noise=1.0, rng=None, randomizations=200, *, rank_tol=1e-6, solvers=None):
    r"""Max-min of quadratic forms by SDR + Gaussian randomisation (module docstring).

    ``max_w min_k w^H A_k w / noise  s.t.  ||w||^2 <= power`` -- e.g. a multicast beamformer
    (``A_k = h_k h_k^H``) or any step whose figure of merit is the smallest of K SNRs.

    Parameters
    ----------
    A_list : array_like, shape (K, N, N)
        Hermitian positive semidefinite matrices A_k.
    power : float
        Power budget P > 0 (the extracted ``w`` uses all of it: the objective grows with scale).
    noise : float, default 1.0
        Noise power sigma^2 > 0.
    rng : int or numpy.random.Generator, optional
        Source of the Gaussian randomisation.
    randomizations : int, default 200
        Gaussian draws when the SDP solution is not rank one.
    rank_tol : float, default 1e-6
        ``lambda_2/lambda_1`` below which the principal eigenvector is used directly.
    solvers : sequence of str, optional
        CVXPY solver order (default :func:`~matoolbox.core.cvx.default_solver_order`).

    Returns
    -------
    dict
        ``w`` (N,) with ``||w||^2 = power`` (None if the SDP failed); ``min_snr`` its value
        ``min_k w^H A_k w / noise``; ``min_snr_upper_bound``: a certified upper bound of the
        max-min SNR over every feasible w (weak duality, module docstring); ``sdr_value``: the
        relaxation's optimum as returned by the solver; ``rank_ratio``; ``randomized``;
        ``status`` and ``cvx_attempts`` of :func:`~matoolbox.core.cvx.solve_cvx`.

    Raises
    ------
    InvalidProblemError
        If ``A_list`` is not a finite (K, N, N) Hermitian stack, or ``power`` / ``noise`` /
        ``randomizations`` invalid.

    Examples
    --------
    >>> import numpy as np
    >>> h = np.array([[1.0, 0.0], [0.0, 1.0]])               # two orthogonal users, N = 2
    >>> out = sdr_maxmin(np.einsum("ki,kj->kij", h, h.conj()), power=2.0, rng=0)
    >>> round(out["min_snr"], 6), round(out["min_snr_upper_bound"], 6)     # |w_1|^2 = |w_2|^2 = 1
    (1.0, 1.0)
    """
    import cvxpy as cp

    owner = "sdr_maxmin"
    A = np.asarray(A_list, complex)
    if A.ndim != 3 or A.shape[1] != A.shape[2] or A.shape[0] < 1 or not np.all(np.isfinite(A)):
        fail(owner, "A_list", A_list, "must be a finite (K, N, N) stack of matrices, K >= 1")
    if not np.allclose(A, np.conj(np.swapaxes(A, 1, 2)), atol=1e-10 * max(1.0, float(np.abs(A).max()))):
        fail(owner, "A_list", A_list, "every A_k must be Hermitian")
    power = require_real(owner, "power", power, lo=0.0, lo_open=True)
    noise = require_real(owner, "noise", noise, lo=0.0, lo_open=True)
    M = require_count(owner, "randomizations", randomizations, minimum=0)
    rng = as_generator(rng)
    A = 0.5 * (A + np.conj(np.swapaxes(A, 1, 2)))
    K, N = A.shape[:2]
    s = max(float(np.max(np.linalg.eigvalsh(A)[:, -1])), 1e-300)     # conditioning: unit scale
    As = power * A / s
    X = cp.Variable((N, N), hermitian=True)                              # X / P
    t = cp.Variable()
    cons_k = [cp.real(cp.trace(As[k] @ X)) >= t for k in range(K)]
    prob = cp.Problem(cp.Maximize(t), [X >> 0, cp.real(cp.trace(X)) <= 1] + cons_k)
    res = solve_cvx(prob, solvers)
    out = {"w": None, "min_snr": -math.inf, "min_snr_upper_bound": math.inf, "sdr_value": math.nan,
           "rank_ratio": math.nan, "randomized": False, "status": res.status, "cvx_attempts": res.attempts}
    if not res.usable or X.value is None:
        return out
    y = np.array([max(float(np.real(c.dual_value)), 0.0) if c.dual_value is not None else 0.0 for c in cons_k])
    y = y / y.sum() if y.sum() > 0 else np.full(K, 1.0 / K)
    bound = power * float(np.linalg.eigvalsh(np.einsum("k,kij->ij", y, A))[-1]) / noise

    def scale(W):
        nrm = float(np.sum(np.abs(W) ** 2))
        return W * math.sqrt(power / nrm) if nrm > 0 else W

    def score(W):
        return _min_snr(A, W[:, 0], noise)

    W, val, ratio, randomized = principal_or_random([np.asarray(X.value)], score, scale, rng, M, rank_tol)
    out.update(w=W[:, 0], min_snr=val, min_snr_upper_bound=bound, sdr_value=float(t.value) * s / noise,
               rank_ratio=ratio, randomized=randomized)
    return out
