"""kvant.plot: an abonent's monthly consumption per tariff zone written as a PNG of the requested size."""

import struct

import numpy as np
import pytest

import kvant

matplotlib = pytest.importorskip("matplotlib")


def test_png_of_an_abonents_meters(tmp_path, demo_db):
    import matplotlib.image as mpimg
    import matplotlib.pyplot as plt

    import kvant.plot

    with kvant.Store(demo_db, mode="read_only") as db:
        split = kvant.split(db, schedule="three-zone", by="month", resource="electricity")
    meter = split["meter"].iloc[0]
    out = tmp_path / "abonent.png"
    fig = kvant.plot.monthly_by_zone(split, out, meters=[meter], title=f"meter {meter}", size=(640, 400))
    plt.close(fig)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (640, 400)
    img = mpimg.imread(out)
    assert img.shape[:2] == (400, 640)
    # not blank: the bars' colours are there, and many distinct pixels
    assert len(np.unique(img.reshape(-1, img.shape[2]), axis=0)) > 20
    night = np.array([0x2b, 0x57, 0x97]) / 255
    assert (np.abs(img[:, :, :3] - night).sum(axis=2) < 0.02).sum() > 100
