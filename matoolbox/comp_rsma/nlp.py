"""NLP form of the CoMP-RSMA problem (a mixin): the packed real vector z, objective, constraints and
bounds with analytic Jacobians, as used by :func:`matoolbox.optim.multistart` (fmincon-style)."""
from __future__ import annotations

import numpy as np

from ._model_kernel import _code, nlp_coherent_kernel, nlp_model_kernel

#: objective, constraints and their derivatives by the numba kernels (False: the NumPy path
#: through ``rate_jacobians_full``, the tests' reference)
_USE_KERNEL = True


class CompRsmaNlpMixin:
    """``nlp_pack``/``nlp_unpack``/``nlp_fun``/``nlp_constraints``/``nlp_bounds`` for multistart, and
    the value-only ``nlp_value``/``nlp_constraint_values`` (no derivatives) for its line searches."""

    # ---------------------------------------------------------------- NLP form (multistart)
    def _nlp_layout(self):
        """(nP, mask): nP = N I (K+1) and the free entries of the full vector (cached per problem)."""
        hit = self._c.get("nlp_layout")
        if hit is None:
            N, I, K = self.N, self.I, self.K
            nP = N * I * (K + 1)
            free_P = np.ones((N, I, K + 1), bool)
            if not self.rsma:
                free_P[:, :, 0] = False
            mask = np.concatenate([free_P.ravel(), free_P.ravel(), np.full(K, self.rsma),
                                   np.full(2 * K, self.movable)])
            mask.flags.writeable = False
            hit = self._c["nlp_layout"] = (nP, mask)
        return hit

    def nlp_pack(self, x) -> np.ndarray:
        """z = [Re vec P, Im vec P, c, vec(r / wavelength)] restricted to the free entries."""
        P, c, r = self._unpack(x)
        _, mask = self._nlp_layout()
        full = np.concatenate([P.real.ravel(), P.imag.ravel(), c, (r / self.wavelength).ravel()])
        return full[mask]

    def nlp_unpack(self, z) -> dict:
        nP, mask = self._nlp_layout()
        full = np.zeros(mask.size)
        full[mask] = z
        K = self.K
        P = (full[:nP] + 1j * full[nP:2 * nP]).reshape(self.N, self.I, K + 1)
        c = full[2 * nP:2 * nP + K]
        r = full[2 * nP + K:].reshape(K, 2) * self.wavelength
        return {"precoders": P, "common": c, "positions": r}

    def _nlp_grad_vec(self, gP, gc, gr):
        _, mask = self._nlp_layout()
        full = np.concatenate([np.real(gP).ravel(), np.imag(gP).ravel(), gc,
                               (np.asarray(gr) * self.wavelength).ravel()])
        return full[mask]

    def _nlp_kernel(self, z, want_jac):
        """(f, grad, g, J, Rc, Rp) at z from the kernels of :mod:`~matoolbox.comp_rsma._model_kernel` (full layout;
        the callers take the free columns), memoised for the last z (an entry with derivatives
        also serves value-only requests). None unless ``_USE_KERNEL``."""
        if not _USE_KERNEL:
            return None
        z = np.asarray(z, float)
        key = z.tobytes()
        hit = self._c.get("nlp_kernel")
        if hit is not None and hit[0] == key and (hit[1] or not want_jac):
            return hit[2]
        _, mask = self._nlp_layout()
        full = np.zeros(mask.size)
        full[mask] = z
        c = self._c
        args = (full, c["N"], int(self.I), c["K"], bool(self.rsma), c["Wr"], float(c["kappa"]), c["Ch"])
        tail = (float(self.wavelength), c["pmax"], float(self.rth))
        if self.coherent:
            out = nlp_coherent_kernel(*args, *tail, bool(want_jac))
        else:
            out = nlp_model_kernel(*args, c["SG"], *tail, _code(self.interference), bool(want_jac))
        c["nlp_kernel"] = (key, bool(want_jac), out)
        return out

    def nlp_fun(self, z):
        """Minimisation form: (-sum rate, gradient) in z. The gradient is the sum of the private
        rows of the constraint Jacobian at z, from the same kernel call (memoised: SLSQP asks for
        both at the same point, so the second costs nothing)."""
        hit = self._nlp_kernel(z, True)
        if hit is not None:
            return float(hit[0]), hit[1][self._nlp_layout()[1]]
        x, _, Rp, _, JpP, _, Jpr = self._nlp_jacobians(z)
        K = self.K
        f = -(float(np.sum(x["common"])) if self.rsma else 0.0) - float(Rp.sum())
        gc = -np.ones(K) if self.rsma else np.zeros(K)
        return f, self._nlp_grad_vec(-JpP.sum(axis=0), gc, -Jpr.sum(axis=0))

    def _nlp_memo(self, name, z, compute):
        """(x, *compute(x)) at z = nlp_pack(x), memoised under ``name`` for the last z only."""
        key = np.asarray(z, float).tobytes()
        hit = self._c.get(name)
        if hit is None or hit[0] != key:
            x = self.nlp_unpack(z)
            hit = self._c[name] = (key, x, *compute(x["precoders"], x["positions"]))
        return hit[1:]

    def _nlp_jacobians(self, z):
        """(x, Rc, Rp, JcP, JpP, Jcr, Jpr) at z (:meth:`rate_jacobians_full`), memoised."""
        return self._nlp_memo("nlp_jacobians", z, self.rate_jacobians_full)

    def _nlp_rates(self, z):
        """(x, Rc, Rp) at z, memoised (SLSQP asks for the objective and the constraint values at
        the same point, one after the other)."""
        return self._nlp_memo("nlp_rates", z, self.rates_at)

    def nlp_value(self, z) -> float:
        """-sum rate at z without the gradient (SLSQP's line-search points); the same number as
        ``nlp_fun(z)[0]`` (the same gains, no derivative)."""
        hit = self._nlp_kernel(z, False)
        if hit is not None:
            return float(hit[0])
        x, _, Rp = self._nlp_rates(z)
        return -(float(np.sum(x["common"])) if self.rsma else 0.0) - float(Rp.sum())

    def nlp_constraint_values(self, z) -> np.ndarray:
        """The rows of :meth:`nlp_constraints` without the Jacobian (same numbers)."""
        hit = self._nlp_kernel(z, False)
        if hit is not None:
            return hit[2].copy()
        x, Rc, Rp = self._nlp_rates(z)
        return self._nlp_rows(x["precoders"], x["common"], Rc, Rp)

    def _nlp_rows(self, P, c, Rc, Rp) -> np.ndarray:
        """Constraint rows g >= 0: per-BS power (N), QoS (K), RSMA common epigraphs (K)."""
        power = self.pmax - np.sum(np.abs(P) ** 2, axis=(1, 2))     # = the per-BS sums, bit for bit
        qos = (c if self.rsma else 0.0) + Rp - self.rth
        parts = [power, qos] + ([Rc - np.sum(c)] if self.rsma else [])
        return np.concatenate(parts)

    def nlp_constraints(self, z):
        """Inequalities g(z) >= 0 and their Jacobian: per-BS power (N), QoS (K), and for RSMA the
        epigraph of the min R_{c,k} - sum_j c_j (K). Position columns: d R_{.,k}/d r_j for every j
        (non-zero off the diagonal only under ``interference="paper"``)."""
        hit = self._nlp_kernel(z, True)
        if hit is not None:
            return hit[2].copy(), hit[3][:, self._nlp_layout()[1]]
        x, Rc, Rp, JcP, JpP, Jcr, Jpr = self._nlp_jacobians(z)           # Jcr/Jpr (K, K, 2)
        P, c = x["precoders"], x["common"]
        N, K = self.N, self.K
        nP, mask = self._nlp_layout()
        # the full Jacobian (rows: N powers, K QoS, K common epigraphs) in the layout of
        # _nlp_grad_vec: [Re dP, Im dP, dc, wavelength * dr], then its free columns
        M = N + K + (K if self.rsma else 0)
        J = np.zeros((M, mask.size))
        Pw = np.zeros((N, N, P[0].size), complex)
        Pw[np.arange(N), np.arange(N)] = -2.0 * P.reshape(N, -1)
        jP = [Pw.reshape(N, nP), JpP.reshape(K, nP)]
        jr = [Jpr.reshape(K, 2 * K)]
        if self.rsma:
            jP.append(JcP.reshape(K, nP))
            jr.append(Jcr.reshape(K, 2 * K))
            J[N:N + K, 2 * nP:2 * nP + K] = np.eye(K)
            J[N + K:, 2 * nP:2 * nP + K] = -1.0
        jP = np.concatenate(jP)
        J[:, :nP] = jP.real
        J[:, nP:2 * nP] = jP.imag
        J[N:, 2 * nP + K:] = np.concatenate(jr) * self.wavelength
        return self._nlp_rows(P, c, Rc, Rp), J[:, mask]

    def nlp_bounds(self):
        """Per-entry (lo, hi) of z: P free, c >= 0, u in [-A/2, A/2]/wavelength."""
        nP, mask = self._nlp_layout()
        K = self.K
        u = self._c["half"] / float(self.wavelength)
        lo = np.concatenate([np.full(2 * nP, -np.inf), np.zeros(K), np.full(2 * K, -u)])
        hi = np.concatenate([np.full(2 * nP, np.inf), np.full(K, np.inf), np.full(2 * K, u)])
        return lo[mask], hi[mask]

    def nlp_random_start(self, rng=None) -> dict:
        return self.random_point(rng)

    def nlp_polish(self, x) -> dict:
        return self.polish(x)
