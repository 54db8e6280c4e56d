#!/usr/bin/python3
"""Write a Y4M clip for Chromium's fake camera (--use-file-for-fake-video-capture).

A still photo is shown like a phone camera would see a user who starts at arm's length and then
brings the phone closer: the face is small for a while (far), grows, stays big (near), shrinks
back, and the clip loops (Chromium replays the file from the start when it ends). Every frame has
a little sensor noise so that no two frames are byte-identical, as with a real camera.

The picture is flat, so whatever the distance, a perspective check must not see a 3D face: the
fixture exercises the capture flow, not the liveness decision.

Y4M: a header line, then "FRAME\\n" + the I420 planes (Y, then U and V at half resolution) for
each frame.  Debian's python3-opencv and python3-numpy only.

  /usr/bin/python3 tests/browser/make_fake_camera.py --image face.jpg --out cam.y4m \\
      [--face X,Y,W,H] [--preview-dir DIR]

--face is the face box in the source image (e.g. from `livecheck check`); without it the face is
assumed at the centre, 30 % of the short side wide.  --preview-dir writes the first far frame and
the first near frame as PNG (what the server will be sent, give or take JPEG).
"""
import argparse
import os
import sys

import cv2
import numpy as np

WIDTH, HEIGHT = 640, 480  # what a laptop webcam delivers; Chromium serves the file's size
BACKGROUND = (92, 96, 100)  # BGR: a dim wall around the photo when it is smaller than the frame


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--image', required=True, help='face photo (JPEG or PNG)')
    p.add_argument('--out', required=True, help='output .y4m')
    p.add_argument('--face', help='face box in the source: X,Y,W,H (pixels)')
    p.add_argument('--fps', type=int, default=15)
    p.add_argument('--far-face', type=float, default=0.24,
                   help='face width in the far phase, as a fraction of the frame height')
    p.add_argument('--near-face', type=float, default=0.52,
                   help='face width in the near phase, as a fraction of the frame height')
    p.add_argument('--far-seconds', type=float, default=4.0)
    p.add_argument('--grow-seconds', type=float, default=1.5)
    p.add_argument('--near-seconds', type=float, default=3.5)
    p.add_argument('--shrink-seconds', type=float, default=1.0)
    p.add_argument('--noise', type=float, default=2.0, help='sensor noise, std dev in grey levels')
    p.add_argument('--seed', type=int, default=7)
    p.add_argument('--preview-dir', help='write far.png and near.png here')
    return p.parse_args(argv)


def face_box(args, img):
    h, w = img.shape[:2]
    if args.face:
        x, y, fw, fh = (float(v) for v in args.face.split(','))
        return x + fw / 2, y + fh / 2, fw
    fw = 0.3 * min(w, h)
    return w / 2, h / 2, fw


def render(img, cx, cy, face_w, target_face_w):
    """The photo scaled so that the face is target_face_w wide, its centre a little above the
    middle of the frame (where the SDK's oval is)."""
    s = target_face_w / face_w
    ox, oy = WIDTH / 2, HEIGHT * 0.46
    m = np.float32([[s, 0, ox - s * cx], [0, s, oy - s * cy]])
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    return cv2.warpAffine(img, m, (WIDTH, HEIGHT), flags=interp, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=BACKGROUND)


def ease(t):
    return t * t * (3 - 2 * t)  # smoothstep: the hand speeds up, then slows down


def schedule(args):
    """Face width (pixels) for every frame of one loop."""
    far, near = args.far_face * HEIGHT, args.near_face * HEIGHT
    n = lambda seconds: max(1, round(seconds * args.fps))  # noqa: E731
    widths = [far] * n(args.far_seconds)
    k = n(args.grow_seconds)
    widths += [far + (near - far) * ease((i + 1) / k) for i in range(k)]
    widths += [near] * n(args.near_seconds)
    k = n(args.shrink_seconds)
    widths += [near + (far - near) * ease((i + 1) / k) for i in range(k)]
    return widths


def main(argv):
    args = parse_args(argv)
    img = cv2.imread(args.image, cv2.IMREAD_COLOR)
    if img is None:
        sys.exit(f'cannot read {args.image}')
    cx, cy, face_w = face_box(args, img)
    rng = np.random.default_rng(args.seed)
    widths = schedule(args)
    cache = {}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + '.tmp', 'wb') as out:
        out.write(f'YUV4MPEG2 W{WIDTH} H{HEIGHT} F{args.fps}:1 Ip A1:1 C420jpeg\n'.encode())
        for w in widths:
            key = round(w, 1)
            if key not in cache:
                cache[key] = render(img, cx, cy, face_w, w).astype(np.float32)
            frame = cache[key]
            if args.noise > 0:
                frame = frame + rng.normal(0, args.noise, frame.shape).astype(np.float32)
            bgr = np.clip(frame, 0, 255).astype(np.uint8)
            yuv = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)  # (H*3/2, W): Y, U, V planes in order
            out.write(b'FRAME\n')
            out.write(yuv.tobytes())
    os.replace(args.out + '.tmp', args.out)
    if args.preview_dir:
        os.makedirs(args.preview_dir, exist_ok=True)
        far, near = args.far_face * HEIGHT, args.near_face * HEIGHT
        cv2.imwrite(os.path.join(args.preview_dir, 'far.png'), render(img, cx, cy, face_w, far))
        cv2.imwrite(os.path.join(args.preview_dir, 'near.png'), render(img, cx, cy, face_w, near))
    seconds = len(widths) / args.fps
    print(f'{args.out}: {WIDTH}x{HEIGHT}, {len(widths)} frames at {args.fps} fps ({seconds:.1f} s loop), '
          f'face {args.far_face * HEIGHT:.0f} px far, {args.near_face * HEIGHT:.0f} px near')


if __name__ == '__main__':
    main(sys.argv[1:])
