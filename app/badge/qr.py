"""QR codes: making them for badges and post labels, reading them from images and camera frames.

Pure functions without Qt, so the GUI's camera worker and the command line use the same decoder
and tests need no camera.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import qrcode
import qrcode.constants
import zxingcpp
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

# Version 10 (57 x 57 modules) at error correction M: the largest symbol that still prints
# with modules of 0.44 mm at 25 mm, which a phone camera or a cheap 2D scanner reads from a
# lanyard at arm's length; M tolerates about 15 % damage (a scratched or creased card).
MAX_BADGE_QR_VERSION = 10
QUIET_ZONE_MODULES = 4


_FINDER_LIKE = (np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool),
                np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1], dtype=bool))


class QRCapacityError(ValueError):
    """The text needs a larger QR code than a badge may have."""


def mask_penalty(modules: Any) -> int:
    """The ISO/IEC 18004 mask penalty of a module matrix, exactly as ``qrcode.util.lost_point``
    computes it, but with numpy.

    qrcode tries all eight masks and scores each in pure Python: 20 ms of the 25 ms a badge
    takes, about 12 s for a 600-guard roster. Scoring here picks the same mask, so the symbols
    are identical, in a tenth of the time.
    """
    m = np.asarray(modules, dtype=bool)
    n = m.shape[0]
    penalty = 0
    for grid in (m, m.T):
        # Rule 1: runs of five or more modules of one colour: 3 + (length - 5).
        framed = np.full((n, n + 1), 2, dtype=np.int8)
        framed[:, :n] = grid
        flat = framed.ravel()
        starts = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
        lengths = np.diff(np.concatenate((starts, [flat.size])))
        runs = lengths[(flat[starts] != 2) & (lengths >= 5)]
        penalty += int((runs - 2).sum())
        # Rule 3: 1:1:3:1:1 finder-like patterns with four light modules on one side.
        windows = sliding_window_view(grid, 11, axis=1)
        for pattern in _FINDER_LIKE:
            penalty += 40 * int(np.all(windows == pattern, axis=-1).sum())
    # Rule 2: 2 x 2 blocks of one colour.
    corner = m[:-1, :-1]
    blocks = (corner == m[1:, :-1]) & (corner == m[:-1, 1:]) & (corner == m[1:, 1:])
    penalty += 3 * int(blocks.sum())
    # Rule 4: departure of the dark proportion from 50 %, in steps of 5 %.
    percent = float(int(m.sum())) / (n**2)
    penalty += int(abs(percent * 100 - 50) / 5) * 10
    return penalty


class _QRCode(qrcode.QRCode):
    def best_mask_pattern(self) -> int:
        best, pattern = 0, 0
        for candidate in range(8):
            self.makeImpl(True, candidate)
            lost = mask_penalty(self.modules)
            if candidate == 0 or lost < best:
                best, pattern = lost, candidate
        return pattern


def make_qr(text: str, max_version: int = MAX_BADGE_QR_VERSION) -> qrcode.QRCode:
    """The smallest QR code for ``text`` at error correction M; QRCapacityError above
    ``max_version``. The text of a badge is upper-case A-Z and digits only, so qrcode encodes
    it in alphanumeric mode (5.5 bits a character)."""
    code = _QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         border=QUIET_ZONE_MODULES, box_size=1)
    code.add_data(text)
    try:
        code.make(fit=True)
    except qrcode.exceptions.DataOverflowError as exc:
        raise QRCapacityError(f"{len(text)} characters do not fit any QR code") from exc
    if code.version > max_version:
        raise QRCapacityError(f"{len(text)} characters need a version-{code.version} QR code, "
                              f"more than version {max_version}")
    return code


def qr_version(text: str) -> int:
    """The QR version ``text`` needs at error correction M (no upper limit applied)."""
    return int(make_qr(text, max_version=40).version)


def qr_matrix(code: qrcode.QRCode) -> list[list[bool]]:
    """The modules, quiet zone included: True is dark. For vector drawing (PDF)."""
    return [list(row) for row in code.get_matrix()]


def qr_image(code: qrcode.QRCode, box_size: int = 8) -> Image.Image:
    """A grayscale image of the code, ``box_size`` pixels a module, quiet zone included."""
    matrix = code.get_matrix()
    size = len(matrix)
    small = Image.new("L", (size, size), 255)
    small.putdata([0 if dark else 255 for row in matrix for dark in row])
    return small.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)


def make_qr_image(text: str, box_size: int = 8,
                  max_version: int = MAX_BADGE_QR_VERSION) -> Image.Image:
    """A grayscale PIL image of the QR code of ``text`` (error correction M, quiet zone of 4)."""
    return qr_image(make_qr(text, max_version), box_size)


# The second look decode_qr takes when the first finds nothing: the image sharpened by a
# difference of box filters, 3 x 3 mean + SHARPEN_AMOUNT x (3 x 3 mean - 7 x 7 mean). zxing's
# local-average binarizer loses a code whose modules are a few pixels wide once defocus, glare
# on the card holder or a shadow has flattened them; this restores the module-scale contrast
# while the 3 x 3 mean keeps sensor noise down. On bench/badge.py's degraded webcam frames
# (2.5-5 px a module) it raises the share read from 78 % to 90 % (81 % to 92 % over 350
# frames of three seeds), for about 4 ms more on a 1280 x 720 frame that holds no code (the
# camera's usual frame: 0.8 -> 4.5 ms); a code the first look reads costs nothing more.
SHARPEN_AMOUNT = 1.5
_SMALLEST_QR = 21  # modules across a version-1 code: anything smaller holds none
_BGR_TO_GRAY = np.array([0.114, 0.587, 0.299], dtype=np.float32)
_BAND_ROWS = 64


def _read(image: Any) -> list[str]:
    try:
        # A fresh BarcodeFormats each call: one kept in the module outlives the interpreter's
        # nanobind teardown, which then reports it as leaked on every exit.
        formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        results = zxingcpp.read_barcodes(image, formats=formats)
    except (ValueError, TypeError, RuntimeError):
        return []
    texts: list[str] = []
    for result in results:
        if result.valid and result.text and result.text not in texts:
            texts.append(result.text)
    return texts


def _gray(image: Any) -> np.ndarray | None:
    """``image`` as a grayscale uint8 array, or None for what decode_qr cannot sharpen."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("L"))
    if isinstance(image, np.ndarray) and image.dtype == np.uint8:
        if image.ndim == 2:
            return image
        if image.ndim == 3 and image.shape[2] == 3:  # BGR, as camera frames come
            return np.rint(image @ _BGR_TO_GRAY).astype(np.uint8)
    return None


def sharpened(gray: np.ndarray, amount: float = SHARPEN_AMOUNT) -> np.ndarray:
    """3 x 3 mean + amount x (3 x 3 mean - 7 x 7 mean) of a grayscale uint8 image (edges
    extended), as uint8: module-scale edges steepened, pixel noise smoothed.

    Worked in bands of rows: whole-frame temporaries (about 20 MB for a 720p frame) would be
    fresh pages at every call, and their page faults cost several times the arithmetic.
    """
    g = np.asarray(gray, dtype=np.uint8)
    h, w = g.shape
    out = np.empty((h, w), dtype=np.uint8)
    c3 = np.float32((1 + amount) / 9)
    c7 = np.float32(amount / 49)
    for top in range(0, h, _BAND_ROWS):
        n = min(_BAND_ROWS, h - top)
        rows = np.clip(np.arange(top - 3, top + n + 3), 0, h - 1)
        p = np.pad(g[rows], ((0, 0), (3, 3)), mode="edge").astype(np.uint16)
        # box sums by shifted additions (at most 49 x 255: within uint16)
        v3 = p[2:n + 2] + p[3:n + 3]
        v3 += p[4:n + 4]
        v7 = v3 + p[0:n]
        for k in (1, 5, 6):
            v7 += p[k:n + k]
        s3 = v3[:, 2:w + 2] + v3[:, 3:w + 3]
        s3 += v3[:, 4:w + 4]
        s7 = v7[:, 0:w] + v7[:, 1:w + 1]
        for k in range(2, 7):
            s7 += v7[:, k:w + k]
        f = s3.astype(np.float32)
        f *= c3
        f7 = s7.astype(np.float32)
        f7 *= c7
        f -= f7
        f += np.float32(0.5)
        np.clip(f, 0, 255, out=f)
        out[top:top + n] = f
    return out


def decode_qr(image: Any) -> list[str]:
    """The text of every QR code in ``image``, each once, in reading order.

    ``image`` is a PIL image or a numpy uint8 array (grayscale H x W, or H x W x 3 BGR), as a
    camera frame arrives. Unreadable or empty images give an empty list, never an exception.
    When zxing finds nothing, it looks once more at a sharpened copy (``sharpened``): a
    blurred, low-contrast or shadowed code at a few pixels a module is read that way.
    """
    texts = _read(image)
    if texts:
        return texts
    try:
        gray = _gray(image)
        if gray is None or min(gray.shape) < _SMALLEST_QR:
            return []
        return _read(sharpened(gray))
    except (ValueError, TypeError, MemoryError):
        return []
