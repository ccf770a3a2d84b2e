"""``geotorch models`` and ``geotorch weights`` list what the installed plugins register."""

from __future__ import annotations

import json
import subprocess
import sys

from geotorch.core.cli import main


def test_models_lists_every_builder_with_its_task(capsys) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in ("resnet50", "unet", "FCSiamDiff", "FarSeg", "RCF", "DOFA", "swin_v2_b"):
        assert name in out
    assert main(["models", "--task", "change_detection", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["name"] for row in rows] == ["FCSiamConc", "FCSiamDiff"]


def test_weights_filters_by_sensor_and_band_count(capsys) -> None:
    assert main(["weights", "--sensor", "sentinel2", "--in-chans", "13"]) == 0
    out = capsys.readouterr().out
    assert "resnet50.sentinel2_all_moco" in out and "CC-BY-4.0" in out
    assert "landsat" not in out


def test_weights_json_carries_urls_checksums_and_preprocessing(capsys) -> None:
    assert main(["weights", "vit_small_patch16_224.sentinel2_all_dino", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["url"].startswith("https://") and row["sha256"].startswith("36bcc127")
    assert row["preprocessing"]["steps"][0]["divisor"] == [10000.0]
    assert row["preprocessing"]["input_values"].startswith("Sentinel-2 L1C")


def test_listing_models_and_weights_imports_no_heavy_library() -> None:
    # Every installed plugin loads here (a third-party one may import what it likes, e.g. rasterio);
    # the first-party ones must not pull in timm, smp, Lightning or a dataset module.
    code = (
        "import sys; from geotorch.core import list_models, list_weights; list_models(); list_weights(); "
        "heavy = [m for m in ('timm', 'segmentation_models_pytorch', 'lightning', "
        "'geotorch.datasets.landsat', 'geotorch.datasets.eurosat') if m in sys.modules]; "
        "print(heavy); sys.exit(bool(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_filter_value_no_entry_has_is_a_usage_error_listing_the_known_ones(capsys) -> None:
    assert main(["models", "--task", "segmentaton"]) == 2
    error = capsys.readouterr().err
    assert "error: --task 'segmentaton' is none of: " in error and "segmentation" in error and "backbone" in error

    assert main(["weights", "--sensor", "sentinel-2", "--in-chans", "13"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "error: --sensor 'sentinel-2' is none of: " in error and "sentinel2" in error
    assert "--in-chans" not in error  # 13 is a band count some weights take


def test_known_filter_values_that_match_nothing_together_are_no_error(capsys) -> None:
    assert main(["models", "nothing-like-this*", "--task", "segmentation"]) == 0
    assert capsys.readouterr().out.strip() == "no models match"


def test_patterns_match_model_and_weight_names_in_any_case(capsys) -> None:
    # `geotorch models Unet` said "no models match" beside unet, `geotorch weights ResNet50*` beside resnet50.*.
    assert main(["models", "Unet", "--json"]) == 0
    assert [row["name"] for row in json.loads(capsys.readouterr().out)] == ["unet"]
    assert main(["weights", "ResNet50.SENTINEL2_ALL_*", "--json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert "resnet50.sentinel2_all_moco" in names and all(name.startswith("resnet50.sentinel2_all_") for name in names)


def test_filter_values_match_in_any_case(capsys) -> None:
    # PATTERNs matched in any case, filters only as registered: `geotorch weights --arch ResNet50` and
    # `--sensor Sentinel2` were usage errors ("--arch 'ResNet50' is none of: ... resnet50 ...").
    assert main(["weights", "--sensor", "Sentinel2", "--arch", "ResNet50", "--ssl-method", "MoCo", "--json"]) == 0
    names = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert "resnet50.sentinel2_all_moco" in names and all(name.startswith("resnet50.sentinel2_") for name in names)
    assert main(["models", "--task", "Change_Detection", "--json"]) == 0
    assert [row["name"] for row in json.loads(capsys.readouterr().out)] == ["FCSiamConc", "FCSiamDiff"]


def test_a_filter_value_spelt_near_a_known_one_names_it(capsys) -> None:
    assert main(["weights", "--sensor", "sentinel-2"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(", worldview (did you mean 'sentinel2'?)")
    assert main(["models", "--task", "segmentaton"]) == 2
    assert capsys.readouterr().err.strip().endswith("(did you mean 'segmentation'?)")
