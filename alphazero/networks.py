"""The policy/value network f_theta(s) = (p, v) behind one pure facade.

    params = networks.init(key, env, config.network)
    prior_logits, value = networks.apply(params, observation)   # [B, A], [B]

`apply` needs nothing but the parameters: the architecture (torso kind, depth, width, global
pooling, number of actions) is read back from the shapes and names in `params`, so search,
self-play, the learner, the arena and outside scripts all call the same function with a plain
pytree, as mctx expects.

Architecture (AlphaGo Zero, "Methods: neural network architecture", scaled down): a convolutional
stem, `num_blocks` pre-activation residual blocks, a policy head (1x1 conv -> dense over actions)
and a value head (1x1 conv -> dense -> tanh). Deviation: LayerNorm instead of BatchNorm, so the
network has no mutable statistics and `apply` stays a pure function (docs/deviations.md). With
`global_pooling` (off by default) every third conv block adds KataGo's global-pooling bias
(`_Block`), so distant points interact within one block (Wu 2019; docs/deviations.md). The "mlp"
torso is the same residual design with dense layers, for boards as small as tic-tac-toe. The
"transformer" torso reads token observations (Countdown's text, [B, L] int): token and position
embeddings, `num_blocks` pre-LayerNorm blocks (self-attention with `num_heads` heads, then a 4x
MLP), a final LayerNorm and a mean over the non-padding tokens; the same two heads follow.
"""

from __future__ import annotations

from typing import NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp

from alphazero.config import NetworkConfig


class _Block(nn.Module):
    """Pre-activation residual block: x + f(x), with f = (norm, relu, layer) x 2.

    `global_pooling` (conv blocks only): KataGo's "global pooling bias structure" (Wu 2019, section
    "Global pooling"). After the first conv, norm and relu, the first third of the channels, G (at
    least one), is pooled over the board to its per-channel mean and max, [B, 2|G|]; a Dense layer
    without bias, "global_pool", maps that to a bias [B, C - |G|] added at every point to the other
    C - |G| channels, and the second conv reads those only. So every point of the block's output
    sees the whole board. KataGo's third pooled feature, the mean scaled by (board width - 14) / 10,
    is left out: a network here plays one board size, where it is a fixed multiple of the mean.
    """

    features: int
    conv: bool
    global_pooling: bool = False

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        def layer(name: str):
            if self.conv:
                return nn.Conv(self.features, (3, 3), name=name)
            return nn.Dense(self.features, name=name)

        y = layer("layer_0")(nn.relu(nn.LayerNorm(name="norm_0")(x)))
        y = nn.relu(nn.LayerNorm(name="norm_1")(y))  # [B, H, W, C]
        if self.global_pooling:
            g = max(1, self.features // 3)
            pooled = jnp.concatenate([y[..., :g].mean((1, 2)), y[..., :g].max((1, 2))], -1)
            bias = nn.Dense(self.features - g, use_bias=False, name="global_pool")(pooled)
            y = y[..., g:] + bias[:, None, None, :]  # [B, H, W, C - |G|]
        return x + layer("layer_1")(y)


def _is_pooling_block(i: int, num_blocks: int) -> bool:
    """With global pooling on: blocks 2, 5, 8, ... (0-based); the last one if there are < 3."""
    return i % 3 == 2 or (num_blocks < 3 and i == num_blocks - 1)


class _ValueOut(nn.Module):
    """Dense(1) written as multiply-and-sum (same parameters and initialisation as nn.Dense).

    Why: on XLA:CPU a matrix-vector product's summation order depends on the batch size, a row
    sum's does not; so a game's values, and self-play, are bit-identical however the games are
    split over devices (tests/test_distributed.py).
    """

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], 1))
        bias = self.param("bias", nn.initializers.zeros_init(), (1,))
        kernel, bias = kernel.astype(x.dtype), bias.astype(x.dtype)
        return jnp.sum(x * kernel[:, 0], axis=-1) + bias[0]


class _AttentionBlock(nn.Module):
    """Pre-LayerNorm transformer block: x + attention(LN(x)), then x + MLP(LN(x))."""

    num_heads: int
    dtype: jnp.dtype = jnp.float32

    @nn.compact
    def __call__(self, x: jax.Array, mask: jax.Array) -> jax.Array:
        d = x.shape[-1]
        y = nn.LayerNorm(name="norm_0", dtype=self.dtype)(x)
        y = nn.MultiHeadDotProductAttention(self.num_heads, dtype=self.dtype, name="attention")(
            y, y, mask=nn.make_attention_mask(mask, mask)
        )
        x = x + y
        y = nn.LayerNorm(name="norm_1", dtype=self.dtype)(x)
        y = nn.Dense(4 * d, name="mlp_in", dtype=self.dtype)(y)
        return x + nn.Dense(d, name="mlp_out", dtype=self.dtype)(nn.gelu(y))


class TokenTorso(nn.Module):
    """tokens [B, L] int (0 = padding) -> features [B, D]."""

    vocab_size: int
    num_blocks: int
    num_channels: int
    num_heads: int
    dtype: jnp.dtype = jnp.float32

    @nn.compact
    def __call__(self, tokens: jax.Array) -> jax.Array:
        tokens = tokens.astype(jnp.int32)
        mask = tokens != 0  # [B, L]
        x = nn.Embed(self.vocab_size, self.num_channels, name="embed")(tokens)
        position = self.param("position", nn.initializers.normal(0.02),
                              (tokens.shape[-1], self.num_channels))  # fmt: skip
        x = (x + position).astype(self.dtype)
        for i in range(self.num_blocks):
            x = _AttentionBlock(self.num_heads, self.dtype, name=f"block_{i}")(x, mask)
        x = nn.LayerNorm(name="torso_norm", dtype=self.dtype)(x)
        weights = mask[..., None].astype(x.dtype)
        return (x * weights).sum(-2) / jnp.maximum(weights.sum(-2), 1)


class Heads(NamedTuple):
    """Everything the network predicts for a batch [B]; heads the network lacks are None."""

    prior_logits: jax.Array  # [B, A] move prior, unnormalised
    value: jax.Array  # [B] in [-1, 1], mover's view
    ownership: jax.Array | None = None  # [B, P] pre-tanh ownership, mover's view (score_heads)
    score: jax.Array | None = None  # [B] final area margin in points, mover's view (score_heads)
    reply_logits: jax.Array | None = None  # [B, A] the opponent's reply (reply_head)


class PolicyValueNet(nn.Module):
    """obs [B, H, W, C] (or [B, D]) -> Heads: prior_logits [B, A], value [B] in [-1, 1], and
    the optional KataGo heads (conv torso only): ownership and score margin, opponent reply."""

    num_actions: int
    num_blocks: int
    num_channels: int
    conv: bool
    dtype: jnp.dtype = jnp.float32  # compute dtype; parameters are stored in float32
    vocab_size: int = 0  # > 0: token observations, transformer torso
    num_heads: int = 4
    global_pooling: bool = False  # conv torso: global-pooling bias blocks (_is_pooling_block)
    score_heads: bool = False  # conv torso: ownership [B, P] and score margin [B] heads
    reply_head: bool = False  # conv torso: a second policy head for the opponent's reply

    @nn.compact
    def __call__(self, obs: jax.Array) -> Heads:
        x = obs.astype(self.dtype)
        if self.vocab_size:
            x = TokenTorso(self.vocab_size, self.num_blocks, self.num_channels, self.num_heads,
                           self.dtype, name="torso")(obs)  # fmt: skip
        elif self.conv:
            x = nn.Conv(self.num_channels, (3, 3), name="stem")(x)
        else:
            x = nn.Dense(self.num_channels, name="stem")(x.reshape(x.shape[0], -1))
        if not self.vocab_size:
            for i in range(self.num_blocks):
                pool = self.global_pooling and self.conv and _is_pooling_block(i, self.num_blocks)
                x = _Block(self.num_channels, self.conv, pool, name=f"block_{i}")(x)
            x = nn.relu(nn.LayerNorm(name="torso_norm")(x))

        p, v = x, x
        if self.conv:
            p = nn.relu(nn.Conv(2, (1, 1), name="policy_conv")(x))
            v = nn.relu(nn.Conv(1, (1, 1), name="value_conv")(x))
        p = p.reshape(p.shape[0], -1)
        v = v.reshape(v.shape[0], -1)
        prior_logits = nn.Dense(self.num_actions, name="policy_out")(p)
        v = nn.relu(nn.Dense(self.num_channels, name="value_hidden")(v))
        value = jnp.tanh(_ValueOut(name="value_out")(v))
        heads = Heads(prior_logits, value)
        if self.conv and self.score_heads:
            ownership = nn.Conv(1, (1, 1), name="ownership_conv")(x)  # [B, H, W, 1]
            # In units of the board side, so the initial outputs span a plausible range.
            side = float(x.shape[1])
            score = side * _ValueOut(name="score_out")(v)
            heads = heads._replace(ownership=ownership.reshape(x.shape[0], -1), score=score)
        if self.conv and self.reply_head:
            r = nn.relu(nn.Conv(2, (1, 1), name="reply_conv")(x)).reshape(x.shape[0], -1)
            heads = heads._replace(reply_logits=nn.Dense(self.num_actions, name="reply_out")(r))
        return heads


def _module_from_params(params) -> PolicyValueNet:
    """Reads the architecture back from parameter shapes (static under jit)."""
    p = params["params"]
    if "torso" in p:
        t = p["torso"]
        vocab_size, num_channels = t["embed"]["embedding"].shape
        blocks = [name for name in t if name.startswith("block_")]
        num_heads = t["block_0"]["attention"]["query"]["kernel"].shape[1] if blocks else 1
        num_actions = p["policy_out"]["kernel"].shape[-1]
        return PolicyValueNet(num_actions, len(blocks), num_channels, False,
                              vocab_size=vocab_size, num_heads=num_heads)  # fmt: skip
    stem = p["stem"]["kernel"]
    blocks = [p[name] for name in p if name.startswith("block_")]
    return PolicyValueNet(
        num_actions=p["policy_out"]["kernel"].shape[-1],
        num_blocks=len(blocks),
        num_channels=stem.shape[-1],
        conv=stem.ndim == 4,
        global_pooling=any("global_pool" in block for block in blocks),
        score_heads="ownership_conv" in p,
        reply_head="reply_out" in p,
    )


def init(key: jax.Array, env, config: NetworkConfig):
    """Fresh parameters for `env`'s observation and action shapes (token observations, as
    Countdown's, need `config.torso == "transformer"` and the environment's `VOCAB`).
    `config.global_pooling` applies to the conv torso only; the others ignore it."""
    # Shapes only, and one compiled init: stepping pgx or flax eagerly compiles every small op.
    spec = jax.eval_shape(env.init, jax.random.PRNGKey(0)).observation
    obs = jnp.zeros((1, *spec.shape), spec.dtype)
    if config.torso == "transformer":
        if not hasattr(env, "vocab"):
            raise ValueError(f"the transformer torso reads tokens; {env.id} has no vocab")
        vocab_size = len(env.vocab)
        module = PolicyValueNet(env.num_actions, config.num_blocks, config.num_channels, False,
                                vocab_size=vocab_size, num_heads=config.num_heads)  # fmt: skip
        return jax.jit(module.init)(key, obs)
    conv = config.torso == "resnet" and obs.ndim == 4
    if conv and config.global_pooling and config.num_channels < 2:
        raise ValueError("global pooling needs num_channels >= 2 (pooled and biased channels)")
    module = PolicyValueNet(env.num_actions, config.num_blocks, config.num_channels, conv,
                            global_pooling=conv and config.global_pooling,
                            score_heads=conv and config.score_heads,
                            reply_head=conv and config.reply_head)  # fmt: skip
    return jax.jit(module.init)(key, obs.astype(jnp.float32))


def apply(params, obs: jax.Array, dtype=None) -> tuple[jax.Array, jax.Array]:
    """prior_logits [B, A] (unmasked) and value [B] (mover's view) for observations [B, ...].

    `dtype` (e.g. jnp.bfloat16) runs the forward pass in that precision, parameters cast on the
    fly; outputs are float32 either way.
    """
    heads = apply_heads(params, obs, dtype)
    return heads.prior_logits, heads.value


def apply_heads(params, obs: jax.Array, dtype=None) -> Heads:
    """Every head the network has (`Heads`; absent ones None), as `apply` computes them."""
    module = _module_from_params(params)
    if dtype is None:
        return module.apply(params, obs)
    params = jax.tree.map(lambda x: x.astype(dtype), params)
    heads = module.clone(dtype=dtype).apply(params, obs)
    return jax.tree.map(lambda x: x.astype(jnp.float32), heads)


def num_parameters(params) -> int:
    return sum(x.size for x in jax.tree.leaves(params))


def uniform(params):
    """The same network with its heads zeroed: a uniform prior and value 0 everywhere (search
    with it is plain tree search on the game's rewards, a baseline without learning)."""
    p = dict(params["params"])
    for head in ("policy_out", "value_out"):
        p[head] = jax.tree.map(jnp.zeros_like, p[head])
    return {**params, "params": p}
