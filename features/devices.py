"""Which torch device a backend runs on: the one place that turns a device name into a torch.device."""
from __future__ import annotations

import torch


def resolve_device(device) -> torch.device:
    """`device` as a torch.device; a clear RuntimeError when CUDA is asked for and absent.

    Args:
        device (str | torch.device): "cpu", "cuda", "cuda:1", ...

    Raises:
        RuntimeError: CUDA is asked for and torch.cuda.is_available() is False.
        ValueError: `device` is not a device name torch knows.
    """
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device={device!r}: not a torch device name ({err})") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device={str(device)!r} was asked for, but torch.cuda.is_available() is "
                           "False (no CUDA device or driver on this machine); use device='cpu'")
    return dev
