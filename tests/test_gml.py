"""GML core: MLP backward, Adam, driver on a toy problem exposing the block interface."""
import ast
import math
import pathlib

import numpy as np
import pytest

import matoolbox as ma
from matoolbox.gml import MLP, Adam, GmlOptions, check_interface, from_features, gml_solve, to_features



class ToyProblem:
    """max -||clip(x)-a||^2 + Re<b, U(z)>  s.t. |x_i| <= 1, ||z||_F <= 1 (optimum: clip(a), b/||b||)."""

    def __init__(self, seed=0):
        r = np.random.default_rng(seed)
        self.a = r.uniform(-1.5, 1.5, 3)
        self.b = r.standard_normal((2, 3)) + 1j * r.standard_normal((2, 3))

    @property
    def optimum(self):
        return -np.sum((np.clip(self.a, -1, 1) - self.a) ** 2) + np.linalg.norm(self.b)

    def _U(self, z):
        n = np.linalg.norm(z)
        return z * min(1.0, 1.0 / n) if n > 0 else z

    def objective(self, x):
        return float(-np.sum((np.clip(x["x"], -1, 1) - self.a) ** 2) + np.real(np.vdot(self.b, self._U(x["z"]))))

    def violation(self, x):
        return float(max(0.0, np.max(np.abs(x["x"])) - 1, np.linalg.norm(x["z"]) - 1))

    def gml_blocks(self, options):
        return [{"name": "x", "layout": "vector", "hidden": 32, "lr": 1e-2},
                {"name": "z", "layout": "rows", "hidden": 32, "lr": 1e-2}]

    def gml_init(self, rng, options):
        z = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
        return {"x": np.zeros(3), "z": z / np.linalg.norm(z)}

    def gml_project(self, name, v, options):
        return np.clip(v, -1, 1) if name == "x" else self._U(v)

    def _grad_U(self, z, g):
        n = np.linalg.norm(z)
        if n <= 1:
            return g
        return (g - z * np.real(np.vdot(z, g)) / n ** 2) / n

    def gml_gradient(self, name, x, options):
        if name == "x":
            xc = np.clip(x["x"], -1, 1)
            return 2 * (xc - self.a)
        return -self.b

    def gml_meta_loss(self, x, options):
        xr, z = x["x"], x["z"]
        xc = np.clip(xr, -1, 1)
        inside = np.abs(xr) <= 1
        over = np.maximum(np.abs(xr) - 1, 0)
        loss = -self.objective(x) + np.sum(over)
        gx = np.where(inside, 2 * (xc - self.a), np.sign(xr))
        gz = self._grad_U(z, -self.b)
        return {"loss": loss, "grads": {"x": gx, "z": gz}, "value": self.objective(x),
                "feasible": True}

    def gml_finalize(self, x, options):
        return {"x": np.clip(x["x"], -1, 1), "z": self._U(x["z"])}


# ---------------------------------------------------------------- MLP
@pytest.mark.parametrize("batch", [1, 5])
def test_mlp_backward_matches_finite_differences(batch):
    rng = np.random.default_rng(0)
    net = MLP(6, 9, 4, rng)
    x = rng.standard_normal((batch, 6))
    delta = rng.standard_normal((batch, 4))
    y, cache = net.forward(x)
    grads = net.backward(delta, cache)
    h = 1e-6
    for name, p in net.params.items():
        fd = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            fp = np.sum(delta * net(x))
            p[idx] = old - h
            fm = np.sum(delta * net(x))
            p[idx] = old
            fd[idx] = (fp - fm) / (2 * h)
        rel = np.linalg.norm(grads[name] - fd) / np.linalg.norm(fd)
        assert rel <= 1e-6, (name, rel)


def test_mlp_backward_accumulates_into_each_callers_buffer_with_the_matmul_numbers():
    """One sample takes outer products: bit for bit the matmul formulas; ``out`` is incremented,
    and a second buffer gets its own views (the views of the first are cached)."""
    rng = np.random.default_rng(3)
    net = MLP(7, 50, 5, rng)
    x = rng.standard_normal((1, 7))
    delta = rng.standard_normal((1, 5))
    _, (xc, z, h) = net.forward(x)
    dz = (delta @ net.params["W2"]) * (z > 0)
    want = np.concatenate([(dz.T @ xc).ravel(), dz.sum(axis=0), (delta.T @ h).ravel(), delta.sum(axis=0)])
    first, second = np.full(net.theta.size, 0.5), np.zeros(net.theta.size)
    net.backward(delta, (xc, z, h), out=first)
    assert np.array_equal(first, 0.5 + want)
    g = net.backward(delta, (xc, z, h), out=second)
    assert np.array_equal(second, want) and np.shares_memory(g["W1"], second)
    net.backward(delta, (xc, z, h), out=first)
    assert np.array_equal(first, (0.5 + want) + want)
    assert np.array_equal(net.backward(delta, (xc, z, h))["b1"], dz[0])      # no buffer: fresh zeros
    g = net.backward(delta, (xc, z, h), out=second)
    g["W1"] = np.zeros_like(g["W1"])                  # rebinding a key of the returned dict ...
    net.backward(delta, (xc, z, h), out=second)
    assert np.array_equal(second, 3 * want)           # ... leaves the buffer's own views in use
    _, cache5 = net.forward(rng.standard_normal((5, 7)))
    with pytest.raises(ValueError):                   # one delta row for a batch of 5: a shape error
        net.backward(delta, cache5, out=second)


def test_mlp_forward_known_values_and_init_bounds():
    net = MLP(2, 3, 1, np.random.default_rng(1))
    assert np.all(np.abs(net.params["W1"]) <= 1 / np.sqrt(2))
    assert np.all(np.abs(net.params["W2"]) <= 1 / np.sqrt(3))
    net.params.update(W1=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), b1=np.array([0.0, 0.0, -5.0]),
                      W2=np.array([[1.0, 2.0, 3.0]]), b2=np.array([0.5]))
    # z = (1, -2, -6) -> h = (1, 0, 0) -> y = 1.5
    assert net(np.array([1.0, -2.0]))[0, 0] == 1.5


# ---------------------------------------------------------------- Adam
def test_adam_matches_hand_computed_three_steps():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p = {"w": np.array([1.0, -2.0])}
    opt = Adam(p, lr=lr, betas=(b1, b2), eps=eps)
    gs = [np.array([0.5, -1.0]), np.array([-0.2, 3.0]), np.array([1.5, 0.25])]
    w = [1.0, -2.0]
    m = [0.0, 0.0]
    v = [0.0, 0.0]
    for t, g in enumerate(gs, start=1):
        opt.step({"w": g})
        for i in range(2):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2
            mhat = m[i] / (1 - b1 ** t)
            vhat = v[i] / (1 - b2 ** t)
            w[i] = w[i] - lr * mhat / (math.sqrt(vhat) + eps)
        np.testing.assert_allclose(p["w"], w, rtol=0, atol=1e-12)
        if t == 1:  # by hand: w - lr * g / (|g| + eps)
            np.testing.assert_allclose(p["w"], [0.900000002, -1.900000001], rtol=0, atol=1e-12)


def test_adam_fused_and_numpy_paths_give_the_same_bits():
    """Contiguous float64 parameters take the fused kernel; a strided view the NumPy path."""
    rng = np.random.default_rng(7)
    base = rng.standard_normal(400)
    flat = {"w": base[::2].copy()}
    strided_store = np.repeat(base[::2], 2)
    strided = {"w": strided_store[::2]}                            # same values, not contiguous
    assert not strided["w"].flags.c_contiguous
    a, b = Adam(flat, lr=0.05), Adam(strided, lr=0.05)
    for _ in range(5):
        g = rng.standard_normal(200)
        a.step({"w": g})
        b.step({"w": g.copy()})
    assert np.array_equal(flat["w"], strided["w"]) and not np.array_equal(flat["w"], base[::2])
    # a gradient of another shape never reaches the kernel (it would read out of bounds)
    p = {"w": np.zeros((3, 4))}
    Adam(p, lr=0.1).step({"w": np.ones(4)})                        # broadcast by the NumPy path
    assert np.allclose(p["w"], -0.1)


def test_features_round_trip():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((2, 4, 5)) + 1j * rng.standard_normal((2, 4, 5))
    f = to_features(z, "rows")
    assert f.shape == (8, 10)
    np.testing.assert_array_equal(f[3, :5], z[0, 3].real)
    np.testing.assert_array_equal(from_features(f, z.shape, True), z)
    r = rng.standard_normal((4, 2))
    assert to_features(r, "vector").shape == (1, 8)
    np.testing.assert_array_equal(from_features(to_features(r, "vector"), r.shape, False), r)


# ---------------------------------------------------------------- driver on the toy problem
def test_toy_determinism_learning_and_feasibility():
    prob = ToyProblem(0)
    opts = GmlOptions(n_outer=600)
    s1 = gml_solve(prob, opts, rng=3)
    s2 = gml_solve(prob, opts, rng=3)
    assert s1.history == s2.history and s1.fval == s2.fval
    assert len(s1.history) == 600 and s1.nit == 600 and s1.exitflag == 1
    h = np.array(s1.history)
    assert h[-60:].mean() > h[:60].mean()
    assert s1.violation == 0.0 and prob.violation(s1.x) == 0.0
    assert s1.fval >= 0.99 * prob.optimum
    assert s1.fval <= prob.optimum + 1e-12
    feas = [v for v, f in zip(s1.history, s1.output["history_feasible"]) if f]
    best = max(feas + ([s1.output["start_value"]] if s1.output["start_feasible"] else []))
    assert s1.fval == pytest.approx(best, abs=1e-12)
    assert np.all(np.diff(s1.output["history_best"]) >= 0)
    s3 = gml_solve(prob, opts, rng=4)
    assert s3.history != s1.history


def test_toy_options_inner_steps_accumulated_and_update_every():
    prob = ToyProblem(1)
    sol = gml_solve(prob, dict(n_outer=300, n_inner=3, n_outer_per_update=2, grad_input="accumulated",
                               update_every={"x": 2}, lr={"z": 5e-3}), rng=0)
    assert len(sol.history) == 300 and prob.violation(sol.x) == 0.0
    assert all(np.isfinite(sol.history))


def test_x0_is_scored_and_time_limit():
    prob = ToyProblem(2)
    x_opt = {"x": np.clip(prob.a, -1, 1), "z": prob.b / np.linalg.norm(prob.b)}
    sol = gml_solve(prob, GmlOptions(n_outer=5), rng=0, x0=x_opt)
    assert sol.fval >= prob.optimum - 1e-12
    sol = gml_solve(prob, GmlOptions(n_outer=10 ** 6, max_time=0.05), rng=0)
    assert sol.exitflag == 0 and sol.nit < 10 ** 6


def test_bad_input_raises():
    with pytest.raises(ma.InvalidProblemError, match="n_outer"):
        GmlOptions(n_outer=0)
    with pytest.raises(ma.InvalidProblemError, match="inner_grad"):
        GmlOptions(inner_grad="bogus")
    with pytest.raises(ma.InvalidProblemError, match="preset"):
        GmlOptions.preset("nope")
    with pytest.raises(ma.InvalidProblemError, match="gml_meta_loss"):
        check_interface(object())
    with pytest.raises(ma.InvalidProblemError, match="unknown block"):
        gml_solve(ToyProblem(0), {"lr": {"positions": 1e-3}})
    with pytest.raises(ma.InvalidProblemError, match="unknown option"):
        gml_solve(ToyProblem(0), {"n_outerr": 3})


def test_presets_and_package_attributes():
    assert ma.gml.gml_solve is gml_solve and ma.gml.GmlOptions is GmlOptions
    p = GmlOptions.preset("paper")
    assert p.n_outer == 500 and p.zeta == (1e-4, 0.01, 1.001, 1e-4) and p.lr["positions"] == 1e-5
    assert GmlOptions.preset("default") == GmlOptions()
    assert GmlOptions().n_outer == 1000 and GmlOptions().zeta == (2.0, 10.0, 10.0, 1.0)
    s = GmlOptions.preset("spec")
    assert s.n_outer == 4000 and s.output_init_scale == 1.0 and s.lr["positions"] == 1e-4
    with pytest.raises(ma.InvalidProblemError, match="output_init_scale"):
        GmlOptions(output_init_scale=-1.0)


def test_no_forbidden_imports_in_gml():
    root = pathlib.Path(ma.__file__).parent / "gml"
    files = sorted(root.glob("*.py"))
    assert files
    for f in files:
        for node in ast.walk(ast.parse(f.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for n in names:
                top = n.lstrip(".").split(".")[0]
                assert top not in {"torch", "jax", "cvxpy", "scipy", "tensorflow"}, (f, n)
                assert "problems" not in n and "solvers" not in n, (f, n)
