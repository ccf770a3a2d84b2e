"""DOFA takes any set of bands given their wavelengths; Scale-MAE's position code follows the resolution."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import get_model
from geotorch.models import DOFA, ScaleMAE, load_pretrained
from geotorch.models.weights_catalog.bands import SENTINEL2_WAVELENGTHS


def _tiny(**kwargs: object) -> DOFA:
    return DOFA(img_size=32, embed_dim=32, depth=1, num_heads=2, num_classes=4, **kwargs).eval()


@pytest.mark.parametrize("bands", [4, 13, 200])
def test_any_number_of_bands_is_embedded_from_wavelengths(bands: int) -> None:
    wavelengths = torch.linspace(0.4, 2.5, bands)
    with torch.no_grad():
        assert _tiny()(torch.randn(2, bands, 32, 32), wavelengths).shape == (2, 4)


def test_sentinel2_wavelengths_work_through_the_registry() -> None:
    model = get_model("DOFA", img_size=32, embed_dim=32, depth=1, num_heads=2, num_classes=0).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 13, 32, 32), list(SENTINEL2_WAVELENGTHS)).shape == (1, 32)


def test_a_wavelength_per_band_is_required() -> None:
    with pytest.raises(ValueError, match="got 3 wavelengths for 13 bands"):
        _tiny()(torch.randn(1, 13, 32, 32), [0.49, 0.56, 0.665])


def test_published_layout_round_trips(publish) -> None:
    torch.manual_seed(3)
    trained = _tiny()
    weights = publish(trained, "dofa_test", bands=())
    loaded = _tiny()
    load_pretrained(loaded, weights, progress=False)
    image = torch.randn(1, 13, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(loaded(image, SENTINEL2_WAVELENGTHS), trained(image, SENTINEL2_WAVELENGTHS))


def test_scale_mae_position_code_changes_with_resolution() -> None:
    torch.manual_seed(0)
    model = ScaleMAE(img_size=32, patch_size=16, embed_dim=32, depth=1, num_heads=2, num_classes=0, in_chans=13)
    model.eval()
    image = torch.randn(1, 13, 32, 32)
    with torch.no_grad():
        coarse = model(image)
        model.res = 2.0
        assert not torch.allclose(model(image), coarse)
