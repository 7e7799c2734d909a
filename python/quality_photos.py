"""Writes the real photographs the quality tests use to test/fixtures/photos/.

They come from scikit-image's bundled samples (skimage.data, shipped inside the package, so
nothing is downloaded). The tests make the blurred and hazy versions themselves from these
files, so only the sharp, clean originals are kept in the repository.

Run with the project's Python environment: .tools/venv/bin/python python/quality_photos.py
"""
from pathlib import Path

from PIL import Image
from skimage import data

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "photos"

# Name -> loader. Colour photographs first, then grey ones (flagged grayscale, correctly).
PHOTOS = {
    "astronaut": data.astronaut,
    "chelsea": data.chelsea,
    "coffee": data.coffee,
    "rocket": data.rocket,
    "motorcycle": lambda: data.stereo_motorcycle()[0],
    "camera": data.camera,
    "brick": data.brick,
    "grass": data.grass,
    "gravel": data.gravel,
    "coins": data.coins,
    "moon": data.moon,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, load in PHOTOS.items():
        # Quality 92 keeps the files small; the samples are photographs, several already JPEG-compressed.
        Image.fromarray(load()).save(OUT / f"{name}.jpg", quality=92)
    print(f"wrote {len(PHOTOS)} photographs to {OUT}")


if __name__ == "__main__":
    main()
