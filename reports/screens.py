"""How long a page reads: its full height in headless Chromium at a window width, in screens of the window's
height (1400 x 900 by default). ``python -m reports.screens reports/results/cpu-amd-epyc-2core/report/index.html``.

The page is copied beside itself with a script that, once everything has loaded (the inline SVG figures
included), writes ``document.documentElement.scrollHeight`` into the body; Chromium's ``--dump-dom`` prints
the DOM after load, and the number is read back. Folded parts (<details>) count closed, as a reader first
sees them."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = ('<script>window.addEventListener("load",()=>{document.body.setAttribute("data-height",'
         'document.documentElement.scrollHeight)})</script></body>')
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str | None:
    """The first headless-capable Chromium on PATH, or None."""
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def page_height(index, width: int = 1400, height: int = 900) -> int:
    """The page's full height in CSS pixels at ``width`` (OSError without Chromium, ValueError without a number)."""
    exe = browser()
    if exe is None:
        raise OSError(f"no Chromium on PATH (tried {', '.join(BROWSERS)})")
    index = Path(index)
    with tempfile.NamedTemporaryFile("w", suffix=".html", dir=index.parent, delete=False, encoding="utf-8") as f:
        f.write(index.read_text(encoding="utf-8").replace("</body>", PROBE, 1))
    probe = Path(f.name)
    try:
        out = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}",
                              "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()],
                             capture_output=True, text=True, timeout=120).stdout
    finally:
        probe.unlink()
    m = re.search(r'data-height="(\d+)"', out)
    if m is None:
        raise ValueError(f"{index.name}: Chromium gave no page height")
    return int(m.group(1))


def screens(index, width: int = 1400, height: int = 900) -> float:
    """The page's height in screens of ``height`` pixels at ``width``."""
    return page_height(index, width, height) / height


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports.screens", description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--width", type=int, nargs="+", default=[1400, 800])
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    try:
        for page in args.pages:
            for w in args.width:
                h = page_height(page, w, args.height)
                print(f"{page}: {h} px at {w} px wide = {h / args.height:.1f} screens of {w}x{args.height}")
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
