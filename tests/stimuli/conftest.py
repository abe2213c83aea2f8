"""A tiny N-MNIST dataset in the exact on-disk layout that ``tonic.datasets.NMNIST`` reads.

tonic's ``NMNIST(save_to=ROOT, train=True)`` looks for ``ROOT/NMNIST/train.zip`` (existence only:
no checksum when the archive is present) and at least 10 000 ``.bin`` files under
``ROOT/NMNIST/Train/<digit>/``; otherwise it downloads. The fixture writes exactly that: an empty
``train.zip``, one real sample (``Train/0/00000.bin``, sample 0) and 9 999 empty ``.bin`` files
(empty samples). Nothing is bypassed and nothing is downloaded: tonic's own class loads it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

N_FILES = 10_000  # NMNIST._check_exists wants at least this many .bin files


def encode_nmnist(x: np.ndarray, y: np.ndarray, t_us: np.ndarray, p: np.ndarray) -> bytes:
    """N-MNIST's 40-bit events: x, y, then polarity (bit 7) and a 23-bit time in µs."""
    raw = np.empty((x.size, 5), dtype=np.uint8)
    raw[:, 0], raw[:, 1] = x, y
    raw[:, 2] = (p.astype(np.uint32) << 7) | ((t_us >> 16) & 0x7F)
    raw[:, 3], raw[:, 4] = (t_us >> 8) & 0xFF, t_us & 0xFF
    return raw.tobytes()


def sample_events(seed: int = 3, n: int = 400) -> np.ndarray:
    """Events of the test sample, time-sorted as a sensor emits them, with exact duplicates."""
    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, 34, n), rng.integers(0, 34, n)
    t, p = np.sort(rng.integers(0, 250_000, n)), rng.integers(0, 2, n)
    x[1], y[1], t[1], p[1] = x[0], y[0], t[0], p[0]  # the same event twice: two spikes
    events = np.zeros(n, dtype=[("x", int), ("y", int), ("t", int), ("p", int)])
    events["x"], events["y"], events["t"], events["p"] = x, y, t, p
    return events


@pytest.fixture(scope="session")
def nmnist_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tonic")
    base = root / "NMNIST"
    (base / "Train").mkdir(parents=True)
    (base / "train.zip").write_bytes(b"")
    ev = sample_events()
    per_digit = N_FILES // 10
    for digit in range(10):
        folder = base / "Train" / str(digit)
        folder.mkdir()
        for k in range(per_digit):
            (folder / f"{k:05d}.bin").write_bytes(b"")
    (base / "Train" / "0" / "00000.bin").write_bytes(
        encode_nmnist(ev["x"], ev["y"], ev["t"].astype(np.uint32), ev["p"])
    )
    return root
