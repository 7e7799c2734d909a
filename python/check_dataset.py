"""Checks an exported dataset with the tools its users will load it with.

Usage: python check_dataset.py EXPORT_DIR EXPECTED_JSON

EXPECTED_JSON is {"sizes": {"train": n, ...}, "columns": [...], "sourceType": "http://cv.iptc.org/..."}.
Prints one JSON summary line and exits 0, or prints what failed and exits 1.
"""

import hashlib
import json
import os
import subprocess
import sys

import datasets
import mlcroissant as mlc
from PIL import Image


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check_load_dataset(root, expected):
    ds = datasets.load_dataset(root)
    sizes = {name: len(split) for name, split in ds.items()}
    if sizes != expected["sizes"]:
        fail(f"load_dataset split sizes {sizes} != {expected['sizes']}")
    for name, split in ds.items():
        missing = [c for c in expected["columns"] if c not in split.column_names]
        if missing:
            fail(f"split {name} lacks columns {missing}; has {split.column_names}")
        first = split[0]
        if first["split"] != name:
            fail(f"a row of split {name} says split={first['split']}")
        if first["image"].size[0] < 1:
            fail(f"split {name}: the image did not decode")
    return sizes


def check_duplicates_share_a_split(root):
    """No pair flagged exact_duplicate or near_duplicate crosses a split."""
    with open(os.path.join(root, "metadata", "image_prompts.json"), encoding="utf-8") as f:
        entries = {entry["id"]: entry for entry in json.load(f)}
    pairs = 0
    for entry in entries.values():
        if not ({"exact_duplicate", "near_duplicate"} & set(entry["issues"])):
            continue
        original = entries[entry["duplicateOf"]]
        if entry.get("split") is None or original.get("split") is None:
            continue  # excluded images are in no split
        pairs += 1
        if entry["split"] != original["split"]:
            fail(f"{entry['id']} ({entry['split']}) duplicates {original['id']} ({original['split']})")
    return pairs


def check_croissant(root, images):
    path = os.path.join(root, "croissant.json")
    cli = os.path.join(os.path.dirname(sys.executable), "mlcroissant")
    validated = subprocess.run([cli, "validate", "--jsonld", path], capture_output=True, text=True)
    # mlcroissant reports errors and warnings alike as "Found the following N ...".
    if validated.returncode != 0 or "Found the following" in validated.stderr:
        fail(f"mlcroissant validate found errors or warnings:\n{validated.stderr}")
    dataset = mlc.Dataset(jsonld=path)
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    checked = 0
    for item in document["distribution"]:
        if item["@type"] != "cr:FileObject":
            continue
        with open(os.path.join(root, item["contentUrl"]), "rb") as f:
            if hashlib.sha256(f.read()).hexdigest() != item["sha256"]:
                fail(f"croissant.json sha256 of {item['contentUrl']} does not match the file")
        checked += 1
    if checked < images:
        fail(f"croissant.json has checksums for {checked} files, fewer than the {images} images")
    records = sum(1 for _ in dataset.records("images"))
    if records != images:
        fail(f"the images RecordSet has {records} records, expected {images}")
    return checked


def check_xmp(root, source_type):
    """Every PNG says what made it, read by Pillow rather than by our own code."""
    count = 0
    for folder, _, files in os.walk(os.path.join(root, "generated_images")):
        for name in files:
            if not name.endswith(".png"):
                continue
            with Image.open(os.path.join(folder, name)) as image:
                description = image.getxmp()["xmpmeta"]["RDF"]["Description"]
            if description.get("DigitalSourceType") != source_type:
                fail(f"{name}: DigitalSourceType {description.get('DigitalSourceType')!r} != {source_type!r}")
            if not description.get("CreatorTool") or not description["description"]["Alt"]["li"]["text"]:
                fail(f"{name}: no creator tool or description in its XMP")
            count += 1
    return count


def main():
    root, expected = sys.argv[1], json.loads(sys.argv[2])
    images = sum(1 for _, _, files in os.walk(os.path.join(root, "generated_images")) for name in files if name.endswith(".png"))
    summary = {
        "sizes": check_load_dataset(root, expected),
        "duplicatePairsInSplits": check_duplicates_share_a_split(root),
        "checksums": check_croissant(root, images),
        "xmp": check_xmp(root, expected["sourceType"]),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    datasets.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    main()
