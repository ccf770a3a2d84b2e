"""ConvLSTM and Conv3dLSTM: recurrent convolutional networks over image time series ``(B, T, C, H, W)``.

Constructor names, defaults and output shapes are TorchGeo 0.10.1's (``torchgeo.models.ConvLSTM`` and
``Conv3dLSTM``); the recurrence is Shi et al. 2015, "Convolutional LSTM Network: A Machine Learning Approach for
Precipitation Nowcasting" (https://arxiv.org/abs/1506.04214).
"""

from __future__ import annotations

from typing import Literal, cast

import torch
from torch import Tensor, nn

from geotorch.models.series import check_series, last_valid_index, step_mask

#: One ``(hidden, cell)`` state per layer, each ``(B, hidden_dim, H, W)``.
LayerStates = list[tuple[Tensor, Tensor]]


class ConvLSTMCell(nn.Module):
    """One ConvLSTM step: input, forget, output gates and candidate from one convolution of ``[x, h]``.

    Args:
        input_dim: channels of the step's input.
        hidden_dim: channels of the hidden and cell states.
        kernel_size: ``(height, width)`` of the convolution (odd sizes keep the image size).
        bias: whether the convolution has a bias.
    """

    def __init__(self, input_dim: int, hidden_dim: int, kernel_size: tuple[int, int], bias: bool = True) -> None:
        super().__init__()
        self.input_dim = input_dim
        self.hidden_dim = hidden_dim
        self.kernel_size = kernel_size
        self.bias = bias
        self.conv = nn.Conv2d(
            input_dim + hidden_dim,
            4 * hidden_dim,
            kernel_size,
            padding=(kernel_size[0] // 2, kernel_size[1] // 2),
            bias=bias,
        )

    def forward(self, input_tensor: Tensor, cur_state: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        """The next ``(hidden, cell)`` states, each ``(B, hidden_dim, H, W)``, from a ``(B, input_dim, H, W)`` step."""
        hidden, cell = cur_state
        gates = self.conv(torch.cat([input_tensor, hidden], dim=1))
        input_gate, forget_gate, output_gate, candidate = gates.chunk(4, dim=1)
        cell = forget_gate.sigmoid() * cell + input_gate.sigmoid() * candidate.tanh()
        hidden = output_gate.sigmoid() * cell.tanh()
        return hidden, cell

    def init_hidden(self, batch_size: int, image_size: tuple[int, int]) -> tuple[Tensor, Tensor]:
        """Zero ``(hidden, cell)`` states ``(batch_size, hidden_dim, *image_size)`` on the cell's device."""
        shape = (batch_size, self.hidden_dim, *image_size)
        weight = self.conv.weight
        return (
            torch.zeros(shape, device=weight.device, dtype=weight.dtype),
            torch.zeros(shape, device=weight.device, dtype=weight.dtype),
        )


class ConvLSTM(nn.Module):
    """Stacked ConvLSTM layers over ``(B, T, C, H, W)`` series, then a convolution to per-pixel outputs.

    ``forward`` gives ``(B, num_classes, H, W)`` from the last layer's hidden state at each sample's last valid
    step (``lengths``), so steps padded after it change nothing: the recurrence only looks back.

    Args:
        input_dim: channels per time step.
        hidden_dim: hidden channels, one number for every layer or one per layer.
        kernel_size: the cells' kernel: an int (square), a ``(height, width)`` pair, or one of those per layer.
        num_layers: stacked ConvLSTM layers.
        bias: whether the convolutions have biases.
        return_all_layers: whether :meth:`forward_features` returns every layer's outputs (else the last only).
        num_classes: output channels of the head.
        head_kernel_size: kernel of the head's convolution (odd).

    Raises:
        ValueError: if per-layer ``hidden_dim`` or ``kernel_size`` lists do not have ``num_layers`` entries.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_dim: int | list[int] = 64,
        kernel_size: int | tuple[int, int] | list[int | tuple[int, int]] = 3,
        num_layers: int = 1,
        bias: bool = True,
        return_all_layers: bool = False,
        num_classes: int = 1,
        head_kernel_size: int = 1,
    ) -> None:
        super().__init__()
        hidden = [hidden_dim] * num_layers if isinstance(hidden_dim, int) else list(hidden_dim)
        kernels = [kernel_size] * num_layers if isinstance(kernel_size, int | tuple) else list(kernel_size)
        if not len(hidden) == len(kernels) == num_layers:
            raise ValueError(
                f"hidden_dim ({len(hidden)} entries) and kernel_size ({len(kernels)} entries) must give one value per "
                f"layer, num_layers={num_layers}"
            )
        self.input_dim = input_dim
        self.hidden_dim = hidden
        self.kernel_size = [
            (kernel, kernel) if isinstance(kernel, int) else (kernel[0], kernel[1]) for kernel in kernels
        ]
        self.num_layers = num_layers
        self.bias = bias
        self.return_all_layers = return_all_layers
        self.num_classes = num_classes
        self.cell_list = nn.ModuleList(
            ConvLSTMCell(input_dim if layer == 0 else hidden[layer - 1], hidden[layer], self.kernel_size[layer], bias)
            for layer in range(num_layers)
        )
        self.head = nn.Conv2d(hidden[-1], num_classes, head_kernel_size, padding=head_kernel_size // 2)

    def forward_features(
        self, input_tensor: Tensor, hidden_state: LayerStates | None = None
    ) -> tuple[list[Tensor], LayerStates]:
        """Every step's hidden states and each layer's final ``(hidden, cell)`` states.

        Args:
            input_tensor: ``(B, T, C, H, W)``.
            hidden_state: initial ``(hidden, cell)`` per layer, zeros if None.

        Returns:
            The outputs ``(B, T, hidden_dim, H, W)`` and final states of the last layer (of every layer if
            ``return_all_layers``).

        Raises:
            ValueError: if ``input_tensor`` is not ``(B, T, C, H, W)``.
        """
        check_series(input_tensor, type(self).__name__)
        batch, steps, _, height, width = input_tensor.shape
        states = hidden_state if hidden_state is not None else self._init_hidden(batch, (height, width))
        outputs: list[Tensor] = []
        finals: LayerStates = []
        layer_input = input_tensor
        for cell, (hidden, memory) in zip(self.cell_list, states, strict=True):
            step_outputs = []
            for step in range(steps):
                hidden, memory = cell(layer_input[:, step], (hidden, memory))
                step_outputs.append(hidden)
            layer_input = torch.stack(step_outputs, dim=1)
            outputs.append(layer_input)
            finals.append((hidden, memory))
        if not self.return_all_layers:
            return outputs[-1:], finals[-1:]
        return outputs, finals

    def forward(
        self, input_tensor: Tensor, lengths: Tensor | None = None, hidden_state: LayerStates | None = None
    ) -> Tensor:
        """Per-pixel outputs ``(B, num_classes, H, W)`` from each sample's last valid step.

        Args:
            input_tensor: ``(B, T, C, H, W)`` float series.
            lengths: valid steps per sample ``(B,)`` of a padded series (steps after them are ignored); values
                above T use the last step. None: every step is valid.
            hidden_state: initial ``(hidden, cell)`` per layer, zeros if None.

        Raises:
            ValueError: if the input is not 5-D, or ``lengths`` is not ``(B,)`` of values >= 1.
        """
        outputs, _ = self.forward_features(input_tensor, hidden_state)
        logits: Tensor = self.head(select_steps(outputs[-1], lengths))
        return logits

    def _init_hidden(self, batch_size: int, image_size: tuple[int, int]) -> LayerStates:
        return [cast(ConvLSTMCell, cell).init_hidden(batch_size, image_size) for cell in self.cell_list]


def select_steps(outputs: Tensor, lengths: Tensor | None) -> Tensor:
    """Each sample's ``(C, H, W)`` at its last valid step, from ``(B, T, C, H, W)`` outputs."""
    batch, steps = outputs.shape[:2]
    index = last_valid_index(lengths, batch, steps, outputs.device)
    return outputs[torch.arange(batch, device=outputs.device), index]


class Conv3dLSTM(ConvLSTM):
    """A 3-D convolution over (time, height, width), then :class:`ConvLSTM`, then per-pixel or per-chip outputs.

    Steps beyond ``lengths`` are zeroed before the 3-D convolution, so a padded series gives what the unpadded one
    gives (the convolution pads time with zeros too).

    Args:
        input_dim: channels per time step.
        conv3d_dim: channels out of the 3-D convolution (the ConvLSTM's input).
        hidden_dim: ConvLSTM hidden channels, one number or one per layer.
        conv3d_kernel_size: the 3-D kernel, an int or ``(time, height, width)``, odd sizes.
        kernel_size: the ConvLSTM kernel (as :class:`ConvLSTM`).
        num_layers: stacked ConvLSTM layers.
        bias: whether the convolutions have biases.
        return_all_layers: whether :meth:`forward_features` returns every layer's outputs.
        num_outputs: output channels (classes, labels or values).
        head_kernel_size: kernel of the head's convolution (odd).
        output_mode: ``pixel`` (maps ``(B, num_outputs, H, W)``) or ``chip`` (pooled to ``(B, num_outputs)``).
        return_sequence: whether to give outputs for every step, ``(B, T, num_outputs[, H, W])``.
        pooling: ``avg`` or ``max``, the spatial pooling of ``chip`` outputs.

    Raises:
        ValueError: for an even kernel size or an unknown ``output_mode`` or ``pooling``.
    """

    def __init__(
        self,
        input_dim: int,
        conv3d_dim: int = 64,
        hidden_dim: int | list[int] = 64,
        conv3d_kernel_size: int | tuple[int, int, int] = (3, 3, 3),
        kernel_size: int | tuple[int, int] | list[int | tuple[int, int]] = 3,
        num_layers: int = 1,
        bias: bool = True,
        return_all_layers: bool = False,
        num_outputs: int = 1,
        head_kernel_size: int = 1,
        output_mode: Literal["pixel", "chip"] = "pixel",
        return_sequence: bool = False,
        pooling: Literal["avg", "max"] = "avg",
    ) -> None:
        kernel3d = (conv3d_kernel_size,) * 3 if isinstance(conv3d_kernel_size, int) else conv3d_kernel_size
        if len(kernel3d) != 3 or any(size % 2 == 0 for size in kernel3d):
            raise ValueError(f"conv3d_kernel_size must be odd (time, height, width) sizes; got {conv3d_kernel_size}")
        if head_kernel_size % 2 == 0:
            raise ValueError(f"head_kernel_size must be odd to keep the image size; got {head_kernel_size}")
        if output_mode not in ("pixel", "chip"):
            raise ValueError(f"output_mode must be 'pixel' or 'chip'; got {output_mode!r}")
        if pooling not in ("avg", "max"):
            raise ValueError(f"pooling must be 'avg' or 'max'; got {pooling!r}")
        super().__init__(
            conv3d_dim, hidden_dim, kernel_size, num_layers, bias, return_all_layers, num_outputs, head_kernel_size
        )
        self.input_dim = input_dim
        self.conv3d_dim = conv3d_dim
        self.conv3d_kernel_size = kernel3d
        self.num_outputs = num_outputs
        self.output_mode = output_mode
        self.return_sequence = return_sequence
        self.pooling = pooling
        self.input_projection = nn.Conv3d(
            input_dim, conv3d_dim, kernel3d, padding=(kernel3d[0] // 2, kernel3d[1] // 2, kernel3d[2] // 2), bias=bias
        )
        self.pool = nn.AdaptiveAvgPool2d(1) if pooling == "avg" else nn.AdaptiveMaxPool2d(1)

    def forward_features(
        self, input_tensor: Tensor, hidden_state: LayerStates | None = None
    ) -> tuple[list[Tensor], LayerStates]:
        """As :meth:`ConvLSTM.forward_features`, on the 3-D convolution's ``(B, T, conv3d_dim, H, W)`` features.

        Raises:
            ValueError: if ``input_tensor`` is not ``(B, T, C, H, W)``.
        """
        check_series(input_tensor, type(self).__name__)
        projected = self.input_projection(input_tensor.transpose(1, 2)).transpose(1, 2)
        return super().forward_features(projected, hidden_state)

    def forward(
        self, input_tensor: Tensor, lengths: Tensor | None = None, hidden_state: LayerStates | None = None
    ) -> Tensor:
        """Outputs by ``output_mode`` and ``return_sequence``.

        Args:
            input_tensor: ``(B, T, C, H, W)`` float series.
            lengths: valid steps per sample ``(B,)`` of a padded series, or None.
            hidden_state: initial ``(hidden, cell)`` per layer, zeros if None.

        Returns:
            ``(B, num_outputs, H, W)`` (``pixel``) or ``(B, num_outputs)`` (``chip``) at each sample's last valid
            step; with ``return_sequence``, one per step: ``(B, T, num_outputs, H, W)`` or ``(B, T, num_outputs)``.

        Raises:
            ValueError: if the input is not 5-D, or ``lengths`` is not ``(B,)`` of values >= 1.
        """
        check_series(input_tensor, type(self).__name__)
        padding = step_mask(lengths, input_tensor.shape[0], input_tensor.shape[1], input_tensor.device)
        if padding is not None:
            input_tensor = input_tensor.masked_fill(padding[:, :, None, None, None], 0)
        outputs = self.forward_features(input_tensor, hidden_state)[0][-1]
        if self.return_sequence:
            batch, steps = outputs.shape[:2]
            maps: Tensor = self.head(outputs.flatten(0, 1))
            if self.output_mode == "chip":
                maps = self.pool(maps).flatten(1)
            return maps.reshape(batch, steps, *maps.shape[1:])
        maps = self.head(select_steps(outputs, lengths))
        return self.pool(maps).flatten(1) if self.output_mode == "chip" else maps
