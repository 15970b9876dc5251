"""Exercise 6 — count the network's FLOPs: the roofline of self-play.

Fill in the four functions, then run

    alphazero exercise check 6

How fast *could* self-play be? Nearly all of its arithmetic is the policy/value network, evaluated
num_simulations + 1 times per move (the root, then one leaf per simulation). Count that arithmetic
and you can say what fraction of the device's best network throughput self-play achieves: its
roofline fraction (docs/tutorials/performance.md, alphazero/bench.py).

Count a multiply-add as 2 FLOPs, the convention of XLA's cost analysis, against which the grader
checks your counts. Two details decide whether you match it:

- a k x k convolution with "SAME" zero padding: count only the kernel taps that land on the board.
  Along one axis of length n, the output positions see k * n - (k*k - 1) / 4 taps in all (odd
  k <= n): for k = 3, the first and last rows miss one tap each. The taps of the two axes multiply;
- a dense layer (N rows in, M out) costs 2 * N * M per position; biases, ReLU, LayerNorm and the
  residual adds cost a few percent more, which you may leave out (the grader allows 12%).

The network (alphazero/networks.py, `resnet` torso) on an H x W board with P input planes and
A actions: a 3x3 stem conv P -> C; `num_blocks` residual blocks of two 3x3 convs C -> C; a policy
head (1x1 conv C -> 2, dense 2*H*W -> A); a value head (1x1 conv C -> 1, dense H*W -> C, dense
C -> 1).
"""

from __future__ import annotations


def conv_flops(height: int, width: int, in_channels: int, out_channels: int, kernel: int) -> int:
    """FLOPs of one k x k "SAME" convolution over one H x W board (taps on the board only)."""
    raise NotImplementedError("conv_flops")


def dense_flops(in_features: int, out_features: int) -> int:
    """FLOPs of one dense layer for one position (biases not counted)."""
    raise NotImplementedError("dense_flops")


def network_flops(
    height: int, width: int, planes: int, num_actions: int, num_blocks: int, channels: int
) -> int:
    """FLOPs of one forward pass of the resnet policy/value network for one position."""
    raise NotImplementedError("network_flops")


def roofline_fraction(
    positions_per_s: float,
    num_simulations: int,
    flops_per_evaluation: float,
    peak_flops_per_s: float,
) -> float:
    """Network FLOP/s achieved by self-play divided by the device's peak network FLOP/s."""
    raise NotImplementedError("roofline_fraction")
