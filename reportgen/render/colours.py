"""Colour contrast (WCAG 2): a theme's colour darkened, or mixed towards white or black, until text in it can be read."""
from __future__ import annotations

import colorsys


def _channels(colour: str) -> tuple[float, float, float]:
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"couleur « {colour} » : écrivez-la #rrggbb")
    r, g, b = (int(text[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, *backgrounds: str, ratio: float = 4.5) -> str:
    """``colour``, darkened just enough to reach ``ratio`` on every one of ``backgrounds``."""
    backgrounds = backgrounds or ("#ffffff",)
    h, lightness, s = colorsys.rgb_to_hls(*_channels(colour))
    while lightness > 0:
        r, g, b = colorsys.hls_to_rgb(h, lightness, s)
        candidate = "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (r, g, b)))
        if all(contrast(candidate, bg) >= ratio for bg in backgrounds):
            return candidate
        lightness = round(lightness - 0.01, 4)
    return "#000000"


def legible(colour: str, background: str, ratio: float = 4.5) -> str:
    """``colour`` mixed with white (on a dark background) or black (on a light one) until it reaches ``ratio``."""
    towards = "#ffffff" if luminance(background) < 0.18 else "#000000"
    for step in range(0, 101, 2):
        candidate = _mix(colour, towards, step / 100)
        if contrast(candidate, background) >= ratio:
            return candidate
    return towards


def _mix(a: str, b: str, t: float) -> str:
    """The colour a fraction ``t`` of the way from ``a`` to ``b``."""
    pairs = zip((round(255 * c) for c in _channels(a)), (round(255 * c) for c in _channels(b)))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in pairs)
