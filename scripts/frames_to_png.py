"""Turn the JSON cell grids of `cargo run --example frames` into PNG screenshots.

usage: python frames_to_png.py FRAME.json... --out DIR
"""

import argparse
import json
import os

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
SIZE = 15
PAD = 12

# The terminal's own colours, and the 16 named ones: a dark xterm-like palette. A frame
# that says "background": "light" is shown as a light terminal would show it.
DEFAULT_FG = (208, 212, 216)
DEFAULT_BG = (16, 20, 24)
LIGHT_FG = (36, 40, 44)
LIGHT_BG = (250, 250, 246)
NAMED = {
    "black": (0, 0, 0), "red": (205, 49, 49), "green": (80, 200, 120), "yellow": (229, 192, 16),
    "blue": (36, 114, 200), "magenta": (188, 63, 188), "cyan": (17, 168, 205), "gray": (170, 170, 170),
    "darkgray": (110, 110, 110), "lightred": (241, 96, 96), "lightgreen": (35, 209, 139),
    "lightyellow": (245, 245, 67), "lightblue": (59, 142, 234), "lightmagenta": (214, 112, 214),
    "lightcyan": (41, 184, 219), "white": (229, 229, 229),
}
ORDER = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "gray",
         "darkgray", "lightred", "lightgreen", "lightyellow", "lightblue", "lightmagenta", "lightcyan", "white"]


def indexed(i):
    if i < 16:
        return NAMED[ORDER[i]]
    if i < 232:
        i -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[i // 36], steps[(i // 6) % 6], steps[i % 6])
    v = 8 + (i - 232) * 10
    return (v, v, v)


def rgb(color, default):
    if color == "reset":
        return default
    if color.startswith("#"):
        return tuple(int(color[k:k + 2], 16) for k in (1, 3, 5))
    if color.startswith("idx:"):
        return indexed(int(color[4:]))
    return NAMED.get(color, default)


# Braille dots (U+2800-28FF), by bit: (column, row) in a 2x4 grid.
BRAILLE = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]


def braille(draw, left, top, cw, ch, code, fill):
    """Draw a Braille cell as dots: the monospace font has no Braille glyphs."""
    r = max(1, cw // 6)
    for bit, (col, row) in enumerate(BRAILLE):
        if code & (1 << bit):
            x = left + cw * (1 + 2 * col) / 4
            y = top + ch * (1 + 2 * row) / 8
            draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)


def render(frame, regular, bold):
    light = frame.get("background") == "light"
    default_fg, default_bg = (LIGHT_FG, LIGHT_BG) if light else (DEFAULT_FG, DEFAULT_BG)
    cw = round(regular.getlength("M"))
    ascent, descent = regular.getmetrics()
    ch = ascent + descent
    img = Image.new("RGB", (frame["width"] * cw + 2 * PAD, frame["height"] * ch + 2 * PAD), default_bg)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(frame["rows"]):
        for x, (symbol, fg, bg, is_bold, *more) in enumerate(row):
            reversed_, dim = (more + [False, False])[:2]
            left, top = PAD + x * cw, PAD + y * ch
            fore, back = rgb(fg, default_fg), rgb(bg, default_bg)
            if reversed_:
                fore, back = back, fore
            if dim:
                fore = tuple((f + b) // 2 for f, b in zip(fore, back))
            if back != default_bg:
                draw.rectangle([left, top, left + cw - 1, top + ch - 1], fill=back)
            if len(symbol) == 1 and 0x2800 <= ord(symbol) <= 0x28FF:
                braille(draw, left, top, cw, ch, ord(symbol) - 0x2800, fore)
            elif symbol.strip():
                font = bold if is_bold else regular
                draw.text((left, top), symbol, font=font, fill=fore)
    return img


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("frames", nargs="+")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    regular = ImageFont.truetype(os.path.join(FONT_DIR, "DejaVuSansMono.ttf"), SIZE)
    bold = ImageFont.truetype(os.path.join(FONT_DIR, "DejaVuSansMono-Bold.ttf"), SIZE)
    os.makedirs(args.out, exist_ok=True)
    for path in args.frames:
        with open(path) as f:
            frame = json.load(f)
        name = os.path.splitext(os.path.basename(path))[0]
        target = os.path.join(args.out, name + ".png")
        render(frame, regular, bold).save(target, optimize=True)
        print(target)


if __name__ == "__main__":
    main()
