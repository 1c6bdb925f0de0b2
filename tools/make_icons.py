"""Draw Cubby's app icons with nothing but the standard library (zlib + struct).

    .venv/bin/python tools/make_icons.py

writes, into static/icons/ (the PNGs are committed; run this again only to change the design):

    icon-192.png          192x192, purpose "any": rounded square, transparent corners
    icon-512.png          512x512, purpose "any"
    maskable-512.png      512x512, purpose "maskable": full bleed, the mark inside the safe zone
    apple-touch-icon.png  180x180, opaque full bleed (iOS rounds the corners itself)

The mark is a white house (a roof over a box: the family's "cubby") with a door cut out of it, on
the brand colour #0b5563. Each shape is a signed distance function, and a pixel's coverage is read
from the distance at its centre, so edges come out anti-aliased without supersampling. The mark
stays within 35% of the size from the centre, inside the maskable safe zone (a circle of 40%).
The output is deterministic: the same script gives byte-identical files.
"""
import math
import struct
import sys
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
BRAND = (0x0B, 0x55, 0x63)
WHITE = (0xFF, 0xFF, 0xFF)

# The mark, in units of the icon's size with (0, 0) at the centre and y pointing down.
ROOF = [(0.0, -0.285), (0.315, 0.0), (-0.315, 0.0)]  # apex, right eave, left eave
BODY = (-0.215, -0.06, 0.215, 0.255)  # left, top, right, bottom
DOOR = (-0.065, 0.085, 0.065, 0.30)   # runs out through the bottom edge of the body
ROUNDING = 0.022                       # softens every corner of the mark
SAFE_RADIUS = 0.40                     # maskable safe zone: a circle of 80% of the size


def rounded_box(x, y, box, radius):
    """Signed distance from (x, y) to a box with rounded corners (negative inside)."""
    left, top, right, bottom = box
    cx, cy = (left + right) / 2, (top + bottom) / 2
    hx, hy = (right - left) / 2 - radius, (bottom - top) / 2 - radius
    dx, dy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(dx, 0.0), max(dy, 0.0))
    return outside + min(max(dx, dy), 0.0) - radius


def polygon(x, y, points):
    """Signed distance from (x, y) to a simple polygon (negative inside)."""
    distance = float("inf")
    inside = False
    for i, (ax, ay) in enumerate(points):
        bx, by = points[i - 1]
        ex, ey = bx - ax, by - ay
        wx, wy = x - ax, y - ay
        t = max(0.0, min(1.0, (wx * ex + wy * ey) / (ex * ex + ey * ey)))
        distance = min(distance, math.hypot(wx - ex * t, wy - ey * t))
        if (ay > y) != (by > y) and x < ax + (y - ay) * ex / ey:
            inside = not inside
    return -distance if inside else distance


def mark(x, y):
    """Signed distance to the white mark: roof and body joined, the door taken away."""
    roof = polygon(x, y, ROOF) - ROUNDING
    body = rounded_box(x, y, BODY, ROUNDING)
    door = rounded_box(x, y, DOOR, ROUNDING)
    return max(min(roof, body), -door)


def coverage(distance, size):
    """How much of a pixel a shape covers, from the signed distance at the pixel's centre."""
    return max(0.0, min(1.0, 0.5 - distance * size))


def draw(size, corner=None, scale=1.0):
    """RGBA rows of the icon. corner: the background's corner radius (None: full bleed, opaque)."""
    rows = []
    for py in range(size):
        row = bytearray()
        y = (py + 0.5) / size - 0.5
        for px in range(size):
            x = (px + 0.5) / size - 0.5
            if corner is None:
                alpha = 1.0
            else:
                alpha = coverage(rounded_box(x, y, (-0.5, -0.5, 0.5, 0.5), corner), size)
            ink = coverage(mark(x / scale, y / scale) * scale, size)
            rgb = [round(b + (w - b) * ink) for b, w in zip(BRAND, WHITE)]
            row += bytes(rgb) + bytes([round(255 * alpha)])
        rows.append(bytes(row))
    return rows


def png(size, rows):
    """The bytes of an 8-bit RGBA PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def check_safe_zone(scale):
    """Every point of the mark lies inside the maskable safe zone."""
    extremes = ROOF + [(x, y) for x in BODY[::2] for y in BODY[1::2]]
    furthest = max(math.hypot(x, y) for x, y in extremes) * scale
    assert furthest < SAFE_RADIUS, f"the mark reaches {furthest:.3f} of the size, outside the safe zone"


ICON_SET = [
    # file name, size, background corner radius (None: full bleed), scale of the mark
    ("icon-192.png", 192, 0.18, 1.0),
    ("icon-512.png", 512, 0.18, 1.0),
    ("maskable-512.png", 512, None, 0.9),
    ("apple-touch-icon.png", 180, None, 0.95),
]


def main():
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, corner, scale in ICON_SET:
        check_safe_zone(scale)
        (ICONS / name).write_bytes(png(size, draw(size, corner, scale)))
        print(f"wrote static/icons/{name} ({size}x{size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
