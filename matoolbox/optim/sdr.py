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

:func:`sdr_power_min` is the power-minimisation step (e.g. a beamformer meeting SNR targets)

    min_w  ||w||^2    s.t.  w^H A_k w >= gamma_k sigma^2,  k = 1..K

relaxed to ``min tr X  s.t.  tr(A_k X) >= gamma_k sigma^2,  X >= 0``. Every feasible w gives the
feasible ``X = w w^H`` with ``tr X = ||w||^2``, so the SDR optimum is a lower bound on the
minimum power; a rank-one point is scaled *up* until it meets every target (the scaling keeps
the least power among the candidates).
"""
from __future__ import annotations

import math

import numpy as np

from ..core.cvx import solve_cvx
from ..core.rng import as_generator
from ..core.validate import fail, require_count, require_real

__all__ = ["gaussian_randomization", "principal_or_random", "sdr_maxmin", "sdr_power_min"]


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
        max-min SNR over every feasible w at these A_k (weak duality, module docstring; the
        beamformer only: inside a movable-antenna problem the A_k, hence the positions, are fixed,
        so it is not a bound over positions); ``sdr_value``: the
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


def sdr_power_min(A_list, gamma, noise=1.0, rng=None, randomizations=200, *, rank_tol=1e-6, solvers=None):
    r"""Least-power beamformer meeting K quadratic targets, by SDR + Gaussian randomisation.

    .. math::

        \min_w \|w\|^2 \quad\text{s.t.}\quad w^H A_k w \ge \gamma_k \sigma^2,\ k = 1..K,

    relaxed to :math:`\min \operatorname{tr} X` s.t. :math:`\operatorname{tr}(A_k X) \ge
    \gamma_k \sigma^2`, :math:`X \succeq 0` (e.g. ``A_k = h_k h_k^H``: multicast with SNR targets).
    The principal eigenvector is used when ``lambda_2/lambda_1 < rank_tol``; otherwise
    :func:`gaussian_randomization` draws candidates, each scaled up by
    :math:`c = \max_k \sqrt{\gamma_k \sigma^2 / (w^H A_k w)}` to meet every target, and the
    least-power one is kept (the scaled principal candidate competes too).

    Parameters
    ----------
    A_list : array_like, shape (K, N, N)
        Hermitian positive semidefinite matrices A_k.
    gamma : array_like, shape (K,)
        Targets gamma_k >= 0 (a zero target is always met and left out of the SDP).
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
        ``w`` (N,), feasible (every ``w^H A_k w >= gamma_k noise`` up to rounding), or None when the
        SDP is infeasible or failed (see ``status``); ``power`` = ||w||^2 (inf without w);
        ``power_lower_bound``: the SDR optimum, a certified lower bound on the minimum of ``||w||^2``
        over every w meeting the K targets at these A_k (this step only, not over positions):
        evaluated by weak duality at the SDP's dual variables y >= 0 as
        ``sum_k y_k / lambda_max(sum_k y_k A_k / (gamma_k noise))``, so solver tolerance cannot
        push it above the true minimum; ``power - power_lower_bound`` bounds the randomisation
        loss (about 0 when the relaxation is tight); nan without a usable SDP. ``rank_ratio``;
        ``randomized``; ``status`` of :func:`~matoolbox.core.cvx.solve_cvx` (``"infeasible"``
        when some target cannot be met, e.g. ``A_k = 0`` with ``gamma_k > 0``;
        ``"no_feasible_candidate"`` when, with ``randomizations=0``, the principal eigenvector
        misses some A_k) and its ``cvx_attempts``.

    Raises
    ------
    InvalidProblemError
        If ``A_list`` is not a finite (K, N, N) Hermitian PSD stack, ``gamma`` not a finite (K,)
        array >= 0, or ``noise`` / ``randomizations`` invalid.

    Examples
    --------
    >>> import numpy as np
    >>> h = np.array([[1.0, 0.0], [0.0, 2.0]])               # two orthogonal users, N = 2
    >>> out = sdr_power_min(np.einsum("ki,kj->kij", h, h.conj()), [1.0, 1.0], rng=0)
    >>> round(out["power"], 6), round(out["power_lower_bound"], 6)   # |w_1|^2 = 1, |w_2|^2 = 1/4
    (1.25, 1.25)
    """
    import cvxpy as cp

    owner = "sdr_power_min"
    A = np.asarray(A_list, complex)
    if A.ndim != 3 or A.shape[1] != A.shape[2] or A.shape[0] < 1 or A.shape[1] < 1 or not np.all(np.isfinite(A)):
        fail(owner, "A_list", A_list, "must be a finite (K, N, N) stack of matrices, K >= 1")
    amax = max(1.0, float(np.abs(A).max()))
    if not np.allclose(A, np.conj(np.swapaxes(A, 1, 2)), atol=1e-10 * amax):
        fail(owner, "A_list", A_list, "every A_k must be Hermitian")
    A = 0.5 * (A + np.conj(np.swapaxes(A, 1, 2)))
    K, N = A.shape[:2]
    lam = np.linalg.eigvalsh(A)                                          # (K, N) ascending
    if np.any(lam[:, 0] < -1e-9 * amax):
        fail(owner, "A_list", A_list, "every A_k must be positive semidefinite")
    g = np.asarray(gamma)
    if g.dtype.kind not in "iuf" or g.shape != (K,) or not np.all(np.isfinite(g)) or np.any(g < 0):
        fail(owner, "gamma", gamma, f"must be a finite real array of shape ({K},) with entries >= 0")
    g = g.astype(float)
    noise = require_real(owner, "noise", noise, lo=0.0, lo_open=True)
    M = require_count(owner, "randomizations", randomizations, minimum=0)
    rng = as_generator(rng)
    out = {"w": None, "power": math.inf, "power_lower_bound": math.nan, "rank_ratio": math.nan,
           "randomized": False, "status": "optimal", "cvx_attempts": []}
    act = np.flatnonzero(g > 0)
    if act.size == 0:                                                    # every target met by w = 0
        out.update(w=np.zeros(N, complex), power=0.0, power_lower_bound=0.0, rank_ratio=0.0)
        return out
    target = g[act] * noise
    B = A[act] / target[:, None, None]                                   # tr(B_k X) >= 1
    s = max(float(np.max(lam[act, -1] / target)), 1e-300)               # conditioning: unit scale
    X = cp.Variable((N, N), hermitian=True)                              # X * s
    cons_k = [cp.real(cp.trace((B[i] / s) @ X)) >= 1 for i in range(act.size)]
    prob = cp.Problem(cp.Minimize(cp.real(cp.trace(X))), [X >> 0] + cons_k)
    res = solve_cvx(prob, solvers)
    out.update(status=res.status, cvx_attempts=res.attempts)
    if not res.usable or X.value is None:
        return out
    # weak duality: any y >= 0 gives ||w||^2 >= w^H (sum_k y_k B_k) w / lmax >= sum_k y_k / lmax
    y = np.array([max(float(np.real(c.dual_value)), 0.0) if c.dual_value is not None else 0.0 for c in cons_k])
    lmax = float(np.linalg.eigvalsh(np.einsum("k,kij->ij", y, B))[-1]) if y.sum() > 0 else 0.0
    bound = float(y.sum() / lmax) if lmax > 0 else 0.0

    def scale(W):                                                        # least c >= 0 meeting every target
        q = np.real(np.einsum("i,kij,j->k", W[:, 0].conj(), A[act], W[:, 0]))
        if np.any(q <= 0):
            return W * math.nan
        return W * math.sqrt(float(np.max(target / q)))

    def score(W):                                                        # larger is better: -power
        p = float(np.sum(np.abs(W) ** 2))
        return -p if math.isfinite(p) else -math.inf

    W, val, ratio, randomized = principal_or_random([np.asarray(X.value) / s], score, scale, rng, M, rank_tol)
    out.update(power_lower_bound=bound, rank_ratio=ratio, randomized=randomized)
    if math.isfinite(val):
        out.update(w=W[:, 0], power=-val)
    else:                                                                # only with randomizations=0
        out.update(status="no_feasible_candidate")
    return out
