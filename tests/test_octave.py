"""MATLAB interop checked in GNU Octave (``octave-cli``): a problem and a solution exported to
.mat are read in Octave, and a channel built in Octave (a MATLAB-style exp(-j) field-response
code in the Ma-Zhu-Zhang convention, plus a plain matrix) is saved there and solved here.
One Octave process does all the Octave work (start-up ~1 s). CI installs octave-cli."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import scipy.io

import matoolbox as ma
from matoolbox.channels.paths import Paths
from matoolbox.problems import CompRsmaProblem

OCTAVE = shutil.which("octave-cli")
pytestmark = pytest.mark.skipif(OCTAVE is None, reason="octave-cli not installed (CI installs it: "
                                "apt-get install octave-cli / octave); MATLAB interop not checked")

SCRIPT = r"""
p = load('prob.mat'); p = p.problem;
s = load('sol.mat'); s = s.sol;
out.cls = p.matoolbox_class;
out.sigma_size = size(p.Sigma);
out.sigma_sum = sum(p.Sigma(:));
out.I = p.I;
out.movable = double(p.movable);
out.positions = s.x.positions;
out.precoders_sum = sum(s.x.precoders(:));
out.fval = s.fval;
out.exitflag = s.exitflag;
out.history = s.history;
out.nested_sigma_sum = sum(s.problem.Sigma(:));
save('-v7', 'octave_read.mat', 'out');

% a MATLAB-style channel code: exp(-j) field responses, Ma-Zhu-Zhang angles in [0, pi]
N = 2; K = 2; L = 3; I = 4; lambda = 0.01; kap = 2*pi/lambda;
[nn, kk, ll] = ndgrid(1:N, 1:K, 1:L);
theta_t = mod(0.37*nn + 0.61*kk + 0.83*ll, pi); phi_t = mod(0.29*nn + 0.47*kk + 1.13*ll, pi);
theta_r = mod(0.53*nn + 0.31*kk + 0.71*ll, pi); phi_r = mod(0.41*nn + 0.89*kk + 0.23*ll, pi);
gains = (cos(nn + 2*kk + 3*ll) + 1j*sin(3*nn - kk + ll)) * 1e-6;
t = [((1:I) - (I+1)/2) * lambda/2; zeros(1, I)];           % ULA along x (2 x I)
r = [0.002 -0.003; 0.001 0.004];                            % user positions (K x 2)
H_ref = zeros(K, N*I);
for n = 1:N
  for k = 1:K
    th = squeeze(theta_t(n, k, :)); ph = squeeze(phi_t(n, k, :));
    G = exp(-1j*kap*(sin(th).*cos(ph)*t(1, :) + cos(th)*t(2, :)));          % L x I
    thr = squeeze(theta_r(n, k, :)); phr = squeeze(phi_r(n, k, :));
    f = exp(-1j*kap*(sin(thr).*cos(phr)*r(k, 1) + cos(thr)*r(k, 2)));       % L x 1
    H_ref(k, (n-1)*I + (1:I)) = f' * diag(squeeze(gains(n, k, :))) * G;
  end
end
convention = 'mzz'; phase_sign = -1;
save('-v7', 'octave_paths.mat', 'gains', 'theta_t', 'phi_t', 'theta_r', 'phi_r', 'convention', ...
     'phase_sign', 'H_ref', 'r');
H = (cos((1:K)' * (1:N*I)) + 1j*sin((1:K)' + (1:N*I))) / sqrt(2);
save('-v7', 'octave_channel.mat', 'H');
"""


def test_octave_reads_exports_and_builds_channels_we_solve(tmp_path):
    prob = CompRsmaProblem.random(seed=0)
    sol = ma.ao_solve(prob, rng=0, max_iter=2)
    prob.to_mat(tmp_path / "prob.mat")
    sol.to_mat(tmp_path / "sol.mat", problem=prob)
    run = subprocess.run([OCTAVE, "--no-gui", "--norc", "--quiet", "--eval", SCRIPT], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr

    # 1) Octave read our struct fields
    out = scipy.io.loadmat(tmp_path / "octave_read.mat", simplify_cells=True)["out"]
    assert out["cls"] == "matoolbox.comp_rsma.problem:CompRsmaProblem"
    assert tuple(out["sigma_size"]) == prob.Sigma.shape and out["I"] == prob.I and out["movable"] == 1
    assert out["sigma_sum"] == pytest.approx(prob.Sigma.sum(), rel=1e-12)
    assert out["nested_sigma_sum"] == pytest.approx(prob.Sigma.sum(), rel=1e-12)
    np.testing.assert_allclose(out["positions"], sol.x["positions"], rtol=0, atol=0)
    assert out["precoders_sum"] == pytest.approx(np.sum(sol.x["precoders"]), rel=1e-12)
    assert out["fval"] == sol.fval and out["exitflag"] == sol.exitflag
    np.testing.assert_array_equal(np.atleast_1d(out["history"]), sol.history)

    # 2) an exp(-j) / MZZ path file from Octave: same channel here, and solvable
    paths = Paths.load(tmp_path / "octave_paths.mat")
    ref = scipy.io.loadmat(tmp_path / "octave_paths.mat", simplify_cells=True)
    mp = CompRsmaProblem.from_paths(paths, I=4, wavelength=0.01, snr_db=30.0)
    H = mp.channel_matrix(ref["r"])
    assert np.max(np.abs(H - ref["H_ref"])) <= 1e-12 * np.max(np.abs(ref["H_ref"]))
    assert np.isfinite(ma.ao_solve(mp, max_iter=2, rng=0).fval)

    # 3) a plain channel matrix saved by Octave -> fixed-antenna problem, channel as given
    Hm = scipy.io.loadmat(tmp_path / "octave_channel.mat")["H"]
    fpa = CompRsmaProblem.from_channel(tmp_path / "octave_channel.mat", I=4, snr_db=10.0)
    assert np.max(np.abs(fpa.channel_matrix() - Hm)) <= 1e-12
    s = ma.ao_solve(fpa, max_iter=3, rng=0)
    assert s.exitflag >= 0 and s.fval > 0
