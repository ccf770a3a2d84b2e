"""``geotorch quickstart``: sample training batches from the demo area and draw a few of them."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from geotorch.core import plot_sample, report_progress, stack_samples, unbind_samples
from geotorch.datasets.demo import DemoImagery, DemoLandCover
from geotorch.datasets.demo_area import CLASSES, COLORS, SCENE_ZONES
from geotorch.samplers import RandomGeoSampler

#: The seeds ``torch.Generator.manual_seed`` takes: a 64-bit number, signed or not.
SEEDS = (-(2**63), 2**64 - 1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geotorch quickstart",
        description="Generate the demo area on first use, compose imagery & land cover, "
        "draw random patches in batches and write a PNG of a few samples.",
    )
    parser.add_argument("--root", type=Path, default=None, help="demo area folder (default: the GeoTorch cache)")
    parser.add_argument("--out", type=Path, default=Path("quickstart-output"),
                        help="folder for the PNG and summary (default: %(default)s)")
    parser.add_argument("--size", type=_at_least(1), default=128, help="patch size in pixels (default: %(default)s)")
    parser.add_argument("--batch-size", type=_at_least(1), default=16,
                        help="patches in a batch (default: %(default)s)")
    parser.add_argument("--batches", type=_at_least(1), default=16,
                        help="number of batches to draw (default: %(default)s)")
    parser.add_argument("--workers", type=_at_least(0), default=0,
                        help="DataLoader worker processes (default: %(default)s)")
    parser.add_argument("--seed", type=_seed, default=0,
                        help="seed of the random patch positions: the same seed draws the same patches "
                        "(default: %(default)s)")
    return parser


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number >= ``minimum``, refused naming the value otherwise."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= {minimum}")
        return value

    return whole_number


def _seed(text: str) -> int:
    """An argparse ``type``: a whole number a torch.Generator takes as its seed (-2**63 .. 2**64 - 1)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not SEEDS[0] <= value <= SEEDS[1]:
        raise argparse.ArgumentTypeError(f"{text!r} is outside {SEEDS[0]}..{SEEDS[1]}, the seeds torch takes")
    return value


def run(argv: Sequence[str]) -> int:
    """Run the quickstart with command-line arguments ``argv``; return the exit status."""
    parser = _parser()
    options = parser.parse_args(list(argv))
    try:
        options.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        parser.error(f"--out {options.out}: cannot make this folder ({error.strerror})")
    started = time.perf_counter()
    images = DemoImagery(options.root)
    labels = DemoLandCover(options.root)
    dataset = images & labels
    print(f"images: {len(images)} scenes, one in each of {', '.join(f'EPSG:{zone[0]}' for zone in SCENE_ZONES)}")
    print(f"labels: {len(labels)} raster in {labels.crs}; samples on {dataset.crs} at {dataset.res[0]:g} m")
    generator = torch.Generator().manual_seed(options.seed)
    sampler = RandomGeoSampler(dataset, size=options.size, length=options.batches * options.batch_size,
                               generator=generator)
    loader = DataLoader(dataset, batch_size=options.batch_size, sampler=sampler, collate_fn=stack_samples,
                        num_workers=options.workers)
    class_pixels = torch.zeros(len(CLASSES), dtype=torch.int64)
    first_batch = None
    for batch in report_progress(loader, len(loader), "batches", unit="batch"):
        class_pixels += torch.bincount(batch["mask"].flatten(), minlength=len(CLASSES))
        if first_batch is None:
            first_batch = batch
    elapsed = time.perf_counter() - started
    assert first_batch is not None
    from matplotlib import pyplot

    for number, sample in enumerate(unbind_samples(first_batch)[:4]):
        figure = plot_sample(
            sample, rgb_indices=[2, 1, 0], num_classes=len(CLASSES), suptitle=f"sample {number}", classes=CLASSES,
            colors=COLORS,
        )
        figure.savefig(options.out / f"sample_{number}.png", dpi=80)
        pyplot.close(figure)
    total = float(class_pixels.sum())
    shares = {name: round(float(count) / total, 4) for name, count in zip(CLASSES, class_pixels, strict=True)}
    summary = {
        "image": list(first_batch["image"].shape), "image_dtype": str(first_batch["image"].dtype),
        "mask": list(first_batch["mask"].shape), "mask_dtype": str(first_batch["mask"].dtype),
        "patches": len(sampler), "seconds": round(elapsed, 2), "class_shares": shares,
    }
    (options.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"batch image {tuple(first_batch['image'].shape)} {first_batch['image'].dtype}, "
          f"mask {tuple(first_batch['mask'].shape)} {first_batch['mask'].dtype}")
    print(f"{len(sampler)} patches in {elapsed:.1f} s; class shares {shares}")
    print(f"wrote {options.out}/sample_0..3.png and summary.json")
    return 0
