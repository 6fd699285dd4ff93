"""Channel-power and correlation maps of an XL-MA layout (a mixin of the problem): the data for the
paper's Figs. 3-5. Drawing them is :func:`matoolbox.plots.save_xlma_maps`."""
from __future__ import annotations

import numpy as np

from ..channels import nearfield as nf
from .layout import Layout


class XlmaMapsMixin:
    """``map_points``, ``power_map``, ``correlation_map`` and ``map_data``."""

    # ------------------------------------------------------------------ maps (Figs. 3-5)
    def map_points(self, resolution: int = 80, plane_value: float | None = None):
        """Map grid over the coverage region: 2-D users -> x–y plane at the user height (y from 0);
        3-D users -> x–z plane at y = ``plane_value`` (default the first cell layer).
        Returns (points (ny*nx, 3), extent, shape (ny, nx), axes names)."""
        xs = np.linspace(self.user_x[0], self.user_x[1], resolution)
        if self.Kz == 1 and self.user_z[0] == self.user_z[1]:
            ys = np.linspace(0.5, self.user_y[1], resolution)
            X, Y = np.meshgrid(xs, ys)
            pts = np.stack([X.ravel(), Y.ravel(), np.full(X.size, self.user_z[0])], axis=1)
            return pts, (xs[0], xs[-1], ys[0], ys[-1]), X.shape, ("x (m)", "y (m)")
        y0 = self.grid_centres[0, 1] if plane_value is None else float(plane_value)
        zs = np.linspace(max(self.user_z[0], 0.0), self.user_z[1], resolution)
        X, Z = np.meshgrid(xs, zs)
        pts = np.stack([X.ravel(), np.full(X.size, y0), Z.ravel()], axis=1)
        return pts, (xs[0], xs[-1], zs[0], zs[-1]), X.shape, ("x (m)", "z (m)")

    def _point_links(self, layout: Layout, points):
        D, u = nf.link_geometry(points, layout.centres)
        bl, bn = nf.path_gains(D, self.wavelength, self.kappa, self._law)
        om = nf.los_visibility(np.asarray(points, float)[:, None, :], layout.centres, self.obstacles)
        ell = om * bl
        return ell, ell + bn, u

    def power_map(self, layout, points) -> np.ndarray:
        """Channel power gain 10 log10(M sum_n (Omega beta^L + beta^N)) (dB) at points (P, 3)."""
        if not isinstance(layout, Layout):
            layout = self.layout(layout)
        _, b, _ = self._point_links(layout, points)
        return 10.0 * np.log10(layout.M * b.sum(axis=1))

    def correlation_map(self, layout, points, p0) -> np.ndarray:
        """Normalized correlation zeta(p) = E|h(p)^H h(p0)|^2 / (E||h(p)||^2 E||h(p0)||^2), = 1 at p0."""
        if not isinstance(layout, Layout):
            layout = self.layout(layout)
        points = np.asarray(points, float)
        ell, b, u = self._point_links(layout, points)
        l0, b0, u0 = self._point_links(layout, np.asarray(p0, float)[None])
        q = nf.los_correlation(u, u0, layout.MH, layout.MV, self.d_h, self.d_v, self.wavelength)
        M = layout.M
        num = (ell * l0 * q + M * (b * b0 - ell * l0)).sum(axis=1)
        zeta = num / ((M * b.sum(1)) * (M * b0.sum()))
        zeta[np.linalg.norm(points - np.asarray(p0, float), axis=1) < 1e-9] = 1.0
        return zeta

    def map_data(self, layout, *, p0=None, resolution: int = 80, plane_value: float | None = None) -> dict:
        """Power and correlation maps of ``layout`` (a :class:`Layout` or a selection) on the map grid.

        Returns {"power_values", "correlation_values": (ny, nx), "extent", "xlabel", "ylabel",
        "subarrays": (P, 2) centres in the map plane, "rects": obstacle rectangles (x0, y0, w, h),
        "p0": reference point of the correlation map, "name": layout name}."""
        if not isinstance(layout, Layout):
            layout = self.layout(layout)
        pts, extent, shape, (xl, yl) = self.map_points(resolution, plane_value)
        planar = yl.startswith("y")
        cols = (0, 1) if planar else (0, 2)
        rects = [(o[cols[0]] - o[3 + cols[0]] / 2, o[cols[1]] - o[3 + cols[1]] / 2, o[3 + cols[0]], o[3 + cols[1]])
                 for o in self.obstacles]
        if p0 is None:
            p0 = self.grid_centres[int(np.argmax(self.rho))]
            if not planar:
                p0 = np.array([p0[0], pts[0, 1], p0[2]])
        p0 = np.asarray(p0, float)
        return {"power_values": self.power_map(layout, pts).reshape(shape),
                "correlation_values": self.correlation_map(layout, pts, p0).reshape(shape),
                "extent": extent, "xlabel": xl, "ylabel": yl, "subarrays": layout.centres[:, list(cols)],
                "rects": rects, "p0": p0, "name": layout.name}
