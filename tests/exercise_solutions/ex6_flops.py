"""Reference solution of exercise 6 (FLOPs and the roofline). Not for students' eyes."""

from __future__ import annotations


def _taps(n: int, k: int) -> int:
    return k * n - (k * k - 1) // 4


def conv_flops(height, width, in_channels, out_channels, kernel):
    return 2 * _taps(height, kernel) * _taps(width, kernel) * in_channels * out_channels


def dense_flops(in_features, out_features):
    return 2 * in_features * out_features


def network_flops(height, width, planes, num_actions, num_blocks, channels):
    cells = height * width
    torso = conv_flops(height, width, planes, channels, 3)
    torso += 2 * num_blocks * conv_flops(height, width, channels, channels, 3)
    policy = conv_flops(height, width, channels, 2, 1) + dense_flops(2 * cells, num_actions)
    value = conv_flops(height, width, channels, 1, 1) + dense_flops(cells, channels)
    return torso + policy + value + dense_flops(channels, 1)


def roofline_fraction(positions_per_s, num_simulations, flops_per_evaluation, peak_flops_per_s):
    return positions_per_s * (num_simulations + 1) * flops_per_evaluation / peak_flops_per_s
