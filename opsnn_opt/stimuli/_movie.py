"""Movies of a bright disc on a pixel grid: the localised pulse, the flashed dot and the moving dot.

Coordinates are in field units: the visual field is the unit square ``[0, 1] x [0, 1]``, so
``x = 0.5`` is its middle whatever the pixel grid or the model that receives it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Disc", "disc_movie", "pixel_centres"]


@dataclass(frozen=True)
class Disc:
    """A disc that is shown from ``onset_ms`` for ``duration_ms`` and moves at a constant velocity.

    Attributes
    ----------
    x, y
        Centre at onset (field units).
    radius
        Radius (field units).
    onset_ms, duration_ms
        When the disc is shown (ms).
    contrast
        Luminance of the disc over the background, in [0, 1].
    vx, vy
        Velocity (field units per ms); zero for a flash or a pulse.
    """

    x: float
    y: float
    radius: float
    onset_ms: float
    duration_ms: float
    contrast: float = 1.0
    vx: float = 0.0
    vy: float = 0.0

    def centre_at(self, t_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre (field units) at times ``t_ms``."""
        dt = np.asarray(t_ms, dtype=np.float64) - self.onset_ms
        return self.x + self.vx * dt, self.y + self.vy * dt


def pixel_centres(width: int, height: int) -> np.ndarray:
    """Centres of the pixels in field units, shape ``(width * height, 2)``, x fastest."""
    k = np.arange(width * height)
    return np.column_stack([(k % width + 0.5) / width, (k // width + 0.5) / height])


def disc_movie(
    disc: Disc, width: int, height: int, bin_ms: float, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """Luminance of every pixel in every time bin while the disc is shown.

    Parameters
    ----------
    disc
        The disc.
    width, height
        Pixel grid (pixels).
    bin_ms
        Frame length (ms); the movie has ``ceil(duration_ms / bin_ms)`` frames from onset.
    noise
        Standard deviation of independent Gaussian noise added to every pixel of every frame
        (luminance units).
    rng
        Generator of the noise.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_frames, width * height)``, values in [0, 1]: the contrast inside the disc (at
        the centre of each frame's time bin), 0 outside, plus noise, clipped.
    """
    n_frames = int(np.ceil(disc.duration_ms / bin_ms - 1e-9))
    t_mid = disc.onset_ms + (np.arange(n_frames) + 0.5) * bin_ms
    cx, cy = disc.centre_at(t_mid)
    pix = pixel_centres(width, height)
    d2 = (pix[None, :, 0] - cx[:, None]) ** 2 + (pix[None, :, 1] - cy[:, None]) ** 2
    luminance = np.where(d2 <= disc.radius**2, disc.contrast, 0.0)
    if noise > 0:
        luminance = luminance + noise * rng.standard_normal(luminance.shape)
    return np.clip(luminance, 0.0, 1.0)
