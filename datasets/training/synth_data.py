#!/usr/bin/python3
"""Shared data code for the demo-model training scripts (Debian's /usr/bin/python3 + numpy only).

What is here:
  * PNG I/O without PIL or cv2: `read_png` (8-bit gray, 8-bit RGB/RGBA, 16-bit gray;
    non-interlaced) and `write_png` (8-bit gray or RGB). Decoding uses libpng's simplified API
    through ctypes when libpng16 is loadable (every Debian with OpenCV has it) and otherwise a
    pure-numpy decoder that undoes the five PNG row filters along anti-diagonals (pixel (r, x)
    depends only on (r, x-1), (r-1, x), (r-1, x-1)), so no per-byte Python loop is needed.
    `--selftest` checks that both decoders agree on the files of a folder.
  * The KITTI object layout written by `lnscope-cli synth` (spec/data.md): calibration read by
    key, label lines, the class list, and `load_split`, which decodes a whole split into numpy
    arrays once and caches them (in /tmp, never inside the dataset folder).
  * Photometric augmentation shared by both scripts (same jitter on left and right images).
  * Metrics used for training-time reporting: dataset-level mIoU and KITTI-style BEV AP|R40.
"""

import ctypes
import ctypes.util
import hashlib
import json
import math
import os
import struct
import sys
import zlib

import numpy as np

MEAN = [0.485, 0.456, 0.406]  # ImageNet statistics in [0, 1] units, RGB order
STD = [0.229, 0.224, 0.225]

# ----------------------------------------------------------------------------------------------
# PNG


def _png_chunks(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos = 8
    while pos + 8 <= len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        yield kind, data[pos + 8:pos + 8 + n]
        pos += 12 + n


def _read_png_numpy(path):
    """Pure numpy PNG decoder: 8/16-bit gray, gray+alpha, RGB, RGBA; no palette, no interlace."""
    with open(path, "rb") as f:
        data = f.read()
    ihdr = None
    idat = []
    for kind, body in _png_chunks(data):
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    if ihdr is None:
        raise ValueError(f"{path}: no IHDR")
    w, h, depth, ctype, _, _, interlace = ihdr
    if interlace != 0 or depth not in (8, 16) or ctype not in (0, 2, 4, 6):
        raise ValueError(f"{path}: unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    bpp = channels * depth // 8  # bytes per pixel
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = w * bpp + 1
    raw = raw[:stride * h].reshape(h, stride)
    ftype = raw[:, 0].astype(np.int32)
    rows = raw[:, 1:].reshape(h, w, bpp).astype(np.int32)
    out = np.zeros((h + 1, w + 1, bpp), dtype=np.int32)  # one zero row above, one zero column left
    r_all = np.arange(h)
    for s in range(h + w - 1):  # anti-diagonal r + x = s
        r = r_all[max(0, s - w + 1):min(h, s + 1)]
        x = s - r
        a = out[r + 1, x]
        b = out[r, x + 1]
        c = out[r, x]
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        t = ftype[r][:, None]
        pred = np.select([t == 1, t == 2, t == 3, t == 4], [a, b, (a + b) >> 1, paeth], 0)
        out[r + 1, x + 1] = (rows[r, x] + pred) & 0xFF
    img = out[1:, 1:].astype(np.uint8)
    if depth == 16:
        img = img.reshape(h, w, channels, 2)
        img = (img[..., 0].astype(np.uint16) << 8) | img[..., 1].astype(np.uint16)
    else:
        img = img.reshape(h, w, channels)
    return img[..., 0] if channels == 1 else img


class _PngImage(ctypes.Structure):  # libpng's png_image (simplified API)
    _fields_ = [("opaque", ctypes.c_void_p), ("version", ctypes.c_uint32), ("width", ctypes.c_uint32),
                ("height", ctypes.c_uint32), ("format", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("colormap_entries", ctypes.c_uint32), ("warning_or_error", ctypes.c_uint32),
                ("message", ctypes.c_char * 64)]


def _load_libpng():
    for name in ("libpng16.so.16", ctypes.util.find_library("png16") or "", ctypes.util.find_library("png") or ""):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.png_image_begin_read_from_file.argtypes = [ctypes.POINTER(_PngImage), ctypes.c_char_p]
            lib.png_image_finish_read.argtypes = [ctypes.POINTER(_PngImage), ctypes.c_void_p, ctypes.c_void_p,
                                                  ctypes.c_int32, ctypes.c_void_p]
            lib.png_image_free.argtypes = [ctypes.POINTER(_PngImage)]
            return lib
        except (OSError, AttributeError):
            continue
    return None


_LIBPNG = _load_libpng() if os.environ.get("LNSCOPE_PURE_PNG", "") != "1" else None


def _png_header(path):
    with open(path, "rb") as f:
        head = f.read(33)
    w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", head[16:29])
    return w, h, depth, ctype, interlace


def read_png(path):
    """Returns HxW (gray, uint8 or uint16) or HxWx3 (RGB uint8; alpha dropped)."""
    path = os.fspath(path)
    w, h, depth, ctype, interlace = _png_header(path)
    if _LIBPNG is None or interlace != 0 or ctype == 3:
        img = _read_png_numpy(path)
        return img[..., :3] if img.ndim == 3 and img.shape[2] in (2, 4) and ctype != 4 else img
    # Only pass-through formats: 8-bit gray/RGB (no gamma change for 8-bit sRGB data) and 16-bit
    # gray read as LINEAR_Y (libpng assumes 16-bit data is linear when there is no gAMA chunk).
    if depth == 16 and ctype == 0:
        fmt, shape, dtype = 0x04, (h, w), np.uint16  # PNG_FORMAT_LINEAR_Y
    elif depth == 8 and ctype == 0:
        fmt, shape, dtype = 0x00, (h, w), np.uint8  # PNG_FORMAT_GRAY
    elif depth == 8 and ctype in (2, 6):
        fmt, shape, dtype = 0x02, (h, w, 3), np.uint8  # PNG_FORMAT_RGB
    else:
        img = _read_png_numpy(path)
        return img
    image = _PngImage()
    image.version = 1
    if not _LIBPNG.png_image_begin_read_from_file(ctypes.byref(image), path.encode()):
        raise ValueError(f"{path}: {image.message.decode(errors='replace')}")
    image.format = fmt
    out = np.empty(shape, dtype=dtype)
    ok = _LIBPNG.png_image_finish_read(ctypes.byref(image), None, out.ctypes.data, 0, None)
    if not ok:
        msg = image.message.decode(errors="replace")
        _LIBPNG.png_image_free(ctypes.byref(image))
        raise ValueError(f"{path}: {msg}")
    return out


def write_png(path, img):
    """Minimal PNG writer: HxW uint8 gray or HxWx3 uint8 RGB, filter 0, zlib level 9."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w = img.shape[:2]
    ctype = 0 if img.ndim == 2 else 2
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


# ----------------------------------------------------------------------------------------------
# KITTI layout


def read_calib(path):
    """KITTI calibration by key: {'P2': 3x4 array, ...}."""
    calib = {}
    with open(path) as f:
        for line in f:
            if ":" not in line:
                continue
            key, values = line.split(":", 1)
            nums = [float(v) for v in values.split()]
            if key.startswith("P") and len(nums) == 12:
                calib[key.strip()] = np.array(nums, dtype=np.float64).reshape(3, 4)
            else:
                calib[key.strip()] = np.array(nums, dtype=np.float64)
    return calib


def read_labels(path):
    """KITTI label lines -> list of dicts (type, trunc, occ, alpha, bbox[4], dims h w l, loc x y z, ry)."""
    objs = []
    if not os.path.exists(path):
        return objs
    with open(path) as f:
        for line in f:
            v = line.split()
            if len(v) < 15:
                continue
            n = [float(t) for t in v[1:]]
            objs.append({"type": v[0], "trunc": n[0], "occ": int(n[1]), "alpha": n[2], "bbox": n[3:7],
                         "h": n[7], "w": n[8], "l": n[9], "x": n[10], "y": n[11], "z": n[12], "ry": n[13],
                         "score": n[14] if len(n) > 14 else 1.0})
    return objs


def read_classes(root):
    with open(os.path.join(root, "classes.json")) as f:
        return json.load(f)


def frame_ids(root):
    return sorted(os.path.splitext(n)[0] for n in os.listdir(os.path.join(root, "image_2")) if n.endswith(".png"))


def load_split(root, with_right=True, with_semantic=True, limit=None, cache=True, verbose=True):
    """Decodes a split into memory: dict of ids, left/right (N,H,W,3 uint8), semantic (N,H,W uint8),
    labels (list of lists), calibs (list of dicts). Large splits are cached as .npy files under
    /tmp/lnscope-train-cache/<hash of path and frame list>/ (never inside the dataset)."""
    root = os.path.abspath(root)
    ids = frame_ids(root)
    if limit:
        ids = ids[:limit]
    out = {"root": root, "ids": ids,
           "labels": [read_labels(os.path.join(root, "label_2", i + ".txt")) for i in ids],
           "calibs": [read_calib(os.path.join(root, "calib", i + ".txt")) for i in ids]}
    kinds = [("left", "image_2")]
    if with_right:
        kinds.append(("right", "image_3"))
    if with_semantic:
        kinds.append(("semantic", "semantic"))
    key = hashlib.sha1((root + "|" + ",".join(ids) + "|" +
                        str(os.path.getmtime(os.path.join(root, "image_2")))).encode()).hexdigest()[:16]
    cdir = os.path.join("/tmp/lnscope-train-cache", key)
    use_cache = cache and len(ids) > 100
    for name, sub in kinds:
        cpath = os.path.join(cdir, name + ".npy")
        if use_cache and os.path.exists(cpath):
            out[name] = np.load(cpath, mmap_mode=None)
            continue
        first = read_png(os.path.join(root, sub, ids[0] + ".png"))
        arr = np.empty((len(ids),) + first.shape, dtype=first.dtype)
        for k, i in enumerate(ids):
            arr[k] = first if k == 0 else read_png(os.path.join(root, sub, i + ".png"))
            if verbose and (k + 1) % 500 == 0:
                print(f"  decoded {sub} {k + 1}/{len(ids)}", flush=True)
        out[name] = arr
        if use_cache:
            os.makedirs(cdir, exist_ok=True)
            np.save(cpath + ".tmp.npy", arr)
            os.replace(cpath + ".tmp.npy", cpath)
    return out


def normalise(images_uint8):
    """N,H,W,3 uint8 (numpy) -> N,3,H,W float32 (x/255 - mean)/std, the adapters' recipe."""
    x = images_uint8.astype(np.float32) / np.float32(255.0)
    x = (x - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def photometric_jitter(rng, images, strength=1.0):
    """Same random brightness / contrast / per-channel gain / gamma for all given N,H,W,3 uint8
    arrays of one sample (e.g. left and right), plus a little pixel noise; returns float32 in [0,255]."""
    bright = rng.uniform(-20, 20) * strength
    contrast = 1.0 + rng.uniform(-0.25, 0.25) * strength
    gain = 1.0 + rng.uniform(-0.08, 0.08, size=3) * strength
    gamma = math.exp(rng.uniform(-0.2, 0.2) * strength)
    noise = rng.uniform(0, 4) * strength
    outs = []
    for img in images:
        x = img.astype(np.float32)
        x = 255.0 * (x / 255.0) ** gamma
        x = (x - 128.0) * contrast + 128.0 + bright
        x = x * gain.astype(np.float32)
        if noise > 0:
            x = x + rng.normal(0, noise, size=x.shape).astype(np.float32)
        outs.append(np.clip(x, 0, 255))
    return outs


def normalise_float(x255):
    """...,H,W,3 float in [0,255] -> ...,3,H,W normalised float32."""
    x = x255 / np.float32(255.0)
    x = (x - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return np.ascontiguousarray(np.moveaxis(x, -1, -3).astype(np.float32))


# ----------------------------------------------------------------------------------------------
# Metrics (training-time reporting; the C++ evaluator gives the official numbers)


def confusion(pred, label, num_classes, ignore=255):
    valid = label != ignore
    idx = label[valid].astype(np.int64) * num_classes + pred[valid].astype(np.int64)
    return np.bincount(idx, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def miou_from_confusion(conf):
    """Dataset-level IoU per class (intersections and unions summed over frames); classes absent
    from both prediction and label (union 0) are dropped from the mean."""
    inter = np.diag(conf).astype(np.float64)
    union = conf.sum(0) + conf.sum(1) - np.diag(conf)
    iou = np.where(union > 0, inter / np.maximum(union, 1), np.nan)
    return float(np.nanmean(iou)), iou


def _box_corners_bev(x, z, l, w, ry):
    """Rotated BEV rectangle in the camera x-z plane, counter-clockwise in (x, z)."""
    c, s = math.cos(ry), math.sin(ry)
    # Object's length axis in camera coordinates: (cos ry, -sin ry) in (x, z) since ry is about +y (down).
    pts = []
    for dl, dw in ((0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5), (0.5, -0.5)):
        px = dl * l * c + dw * w * s
        pz = -dl * l * s + dw * w * c
        pts.append((x + px, z + pz))
    # make counter-clockwise
    area = sum(pts[i][0] * pts[(i + 1) % 4][1] - pts[(i + 1) % 4][0] * pts[i][1] for i in range(4))
    return pts if area > 0 else pts[::-1]


def _clip(subject, clipper):
    """Sutherland-Hodgman clipping of a polygon by a convex counter-clockwise polygon."""
    out = subject
    for i in range(len(clipper)):
        a, b = clipper[i], clipper[(i + 1) % len(clipper)]
        inp, out = out, []
        if not inp:
            break

        def inside(p):
            return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0

        def inter(p, q):
            x1, y1, x2, y2 = p[0], p[1], q[0], q[1]
            x3, y3, x4, y4 = a[0], a[1], b[0], b[1]
            den = (x1 - x2) * (y3 - y4) - (y1 - y2) * (x3 - x4)
            if abs(den) < 1e-12:
                return q
            t = ((x1 - x3) * (y3 - y4) - (y1 - y3) * (x3 - x4)) / den
            return (x1 + t * (x2 - x1), y1 + t * (y2 - y1))

        for j in range(len(inp)):
            p, q = inp[j], inp[(j + 1) % len(inp)]
            if inside(q):
                if not inside(p):
                    out.append(inter(p, q))
                out.append(q)
            elif inside(p):
                out.append(inter(p, q))
    return out


def _area(poly):
    if len(poly) < 3:
        return 0.0
    return 0.5 * abs(sum(poly[i][0] * poly[(i + 1) % len(poly)][1] - poly[(i + 1) % len(poly)][0] * poly[i][1]
                         for i in range(len(poly))))


def bev_iou(a, b):
    pa = _box_corners_bev(a["x"], a["z"], a["l"], a["w"], a["ry"])
    pb = _box_corners_bev(b["x"], b["z"], b["l"], b["w"], b["ry"])
    inter = _area(_clip(pa, pb))
    union = a["l"] * a["w"] + b["l"] * b["w"] - inter
    return inter / union if union > 0 else 0.0


# KITTI devkit difficulty: min 2-D box height (px), max occlusion, max truncation.
DIFFICULTY = {"easy": (40, 0, 0.15), "moderate": (25, 1, 0.30), "hard": (25, 2, 0.50), "all": (0, 9, 1.0)}


def bev_ap_r40(gts, dets, cls="Car", iou_threshold=0.5, difficulty="moderate"):
    """KITTI-style BEV AP|R40 over frames. gts/dets: lists (per frame) of label dicts. A detection
    matches an unmatched ground truth of the class when BEV IoU > threshold (strict), greedily by
    descending score (each detection takes its highest-IoU free ground truth). Ground truths of the
    class outside the difficulty are 'don't care': detections matching them are neither TP nor FP;
    unmatched detections whose 2-D height is below the difficulty's minimum are ignored too."""
    min_h, max_occ, max_trunc = DIFFICULTY[difficulty]
    records = []  # (score, tp)
    n_gt = 0
    for g_frame, d_frame in zip(gts, dets):
        g = [o for o in g_frame if o["type"] == cls]
        care = [(o["bbox"][3] - o["bbox"][1]) >= min_h and o["occ"] <= max_occ and o["trunc"] <= max_trunc for o in g]
        n_gt += sum(care)
        d = sorted([o for o in d_frame if o["type"] == cls], key=lambda o: -o["score"])
        used = [False] * len(g)
        for det in d:
            best, best_j = iou_threshold, -1
            best_care = False
            for j, o in enumerate(g):
                if used[j]:
                    continue
                iou = bev_iou(det, o)
                # prefer cared-for ground truths, as the devkit does
                if iou > iou_threshold and (best_j < 0 or (care[j] and not best_care) or
                                             (care[j] == best_care and iou > best)):
                    best, best_j, best_care = iou, j, care[j]
            if best_j >= 0:
                used[best_j] = True
                if best_care:
                    records.append((det["score"], 1))
                # matched a don't-care: ignored
            else:
                h2d = det["bbox"][3] - det["bbox"][1]
                if h2d >= min_h:
                    records.append((det["score"], 0))
    if n_gt == 0:
        return float("nan")
    records.sort(key=lambda r: -r[0])
    tp = np.cumsum([r[1] for r in records]) if records else np.zeros(0)
    fp = np.cumsum([1 - r[1] for r in records]) if records else np.zeros(0)
    recall = tp / n_gt if len(records) else np.zeros(0)
    precision = tp / np.maximum(tp + fp, 1) if len(records) else np.zeros(0)
    ap = 0.0
    for r in np.linspace(1.0 / 40, 1.0, 40):
        mask = recall >= r - 1e-12
        ap += precision[mask].max() if mask.any() else 0.0
    return ap / 40.0


def project_box_2d(obj, P, width, height):
    """2-D box of a 3-D box: the projection of its 8 corners with P, clipped to the image."""
    c, s = math.cos(obj["ry"]), math.sin(obj["ry"])
    l, w, h = obj["l"], obj["w"], obj["h"]
    xs = np.array([l, l, -l, -l, l, l, -l, -l]) / 2
    zs = np.array([w, -w, -w, w, w, -w, -w, w]) / 2
    ys = np.array([0, 0, 0, 0, -h, -h, -h, -h])
    X = c * xs + s * zs + obj["x"]
    Z = -s * xs + c * zs + obj["z"]
    Y = ys + obj["y"]
    pts = P @ np.vstack([X, Y, Z, np.ones(8)])
    zc = np.maximum(pts[2], 1e-3)
    u, v = pts[0] / zc, pts[1] / zc
    return [float(np.clip(u.min(), 0, width - 1)), float(np.clip(v.min(), 0, height - 1)),
            float(np.clip(u.max(), 0, width - 1)), float(np.clip(v.max(), 0, height - 1))]


# ----------------------------------------------------------------------------------------------
# Training curve (no matplotlib on Debian's interpreter): a simple line plot drawn with numpy.

_FONT = {  # 3x5 bitmap digits and a few letters for axis labels
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111", ".": "000000000000010", "%": "101001010100101",
    "-": "000000111000000", " ": "000000000000000",
}


def _text(img, x, y, s, color, scale=2):
    for ch in s:
        bits = _FONT.get(ch.upper() if ch.upper() in _FONT else ch, None)
        if bits is None:
            # letters: draw a small filled box as a placeholder glyph
            img[y:y + 5 * scale, x:x + 3 * scale] = color
        else:
            for k, b in enumerate(bits):
                if b == "1":
                    r, c = divmod(k, 3)
                    img[y + r * scale:y + (r + 1) * scale, x + c * scale:x + (c + 1) * scale] = color
        x += 4 * scale


def plot_curves(path, series, title_lines=()):
    """series: list of (values, color, axis) with axis 'left' (loss, auto-scaled, log) or 'right'
    (metric in [0, 1]). Draws a 640x360 PNG: x = epoch, grid lines at 0.2 metric steps."""
    W, H, L, R, T, B = 640, 360, 60, 60, 20, 40
    img = np.full((H, W, 3), 255, dtype=np.uint8)
    pw, ph = W - L - R, H - T - B
    img[T:T + ph + 1, L] = 0
    img[T + ph, L:L + pw + 1] = 0
    img[T:T + ph + 1, L + pw] = 0
    for k in range(6):  # metric grid 0, .2, ... 1
        yy = T + ph - int(round(k / 5 * ph))
        img[yy, L + 1:L + pw:3] = 180
        _text(img, L + pw + 6, yy - 5, f"{k * 20}%", (0, 0, 0), 2)
    n = max(len(s[0]) for s in series)
    left_vals = [v for s in series if s[2] == "left" for v in s[0] if v > 0]
    lo, hi = (math.log10(min(left_vals)), math.log10(max(left_vals))) if left_vals else (0, 1)
    if hi - lo < 1e-6:
        hi = lo + 1
    _text(img, 4, T, f"{10 ** hi:.3g}"[:6], (0, 0, 0), 2)
    _text(img, 4, T + ph - 10, f"{10 ** lo:.3g}"[:6], (0, 0, 0), 2)
    for k in range(1, n + 1):
        xx = L + int(round((k - 1) / max(n - 1, 1) * pw))
        img[T + ph:T + ph + 4, xx] = 0
        if n <= 30 or k % 5 == 0:
            _text(img, xx - 4, T + ph + 8, str(k), (0, 0, 0), 2)
    for values, color, axis in series:
        pts = []
        for k, v in enumerate(values):
            xx = L + (k / max(n - 1, 1)) * pw
            if axis == "left":
                t = (math.log10(max(v, 1e-12)) - lo) / (hi - lo)
            else:
                t = min(max(v, 0.0), 1.0)
            pts.append((xx, T + ph - t * ph))
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
            for u in np.linspace(0, 1, steps + 1):
                xi, yi = int(round(x0 + u * (x1 - x0))), int(round(y0 + u * (y1 - y0)))
                img[max(yi - 1, 0):yi + 2, max(xi - 1, 0):xi + 2] = color
        for xx, yy in pts:
            img[int(yy) - 3:int(yy) + 4, int(xx) - 3:int(xx) + 4] = color
    for k, (line, color) in enumerate(title_lines):
        img[T + 8 + 14 * k:T + 16 + 14 * k, L + 10:L + 30] = color
    write_png(path, img)


def _selftest(folder):
    """Compare the libpng and the numpy decoder on every PNG under folder."""
    n = 0
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(".png"):
                p = os.path.join(dirpath, name)
                a, b = read_png(p), _read_png_numpy(p)
                b = b[..., :3] if b.ndim == 3 and b.shape[2] == 4 else b
                if a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(a, b):
                    sys.exit(f"decoders disagree on {p}: {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
                n += 1
    print(f"{n} PNG files decoded identically by libpng ({_LIBPNG is not None}) and numpy")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--selftest":
        _selftest(sys.argv[2])
    else:
        print(__doc__)
