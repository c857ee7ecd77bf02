"""Tiny real transformers checkpoints written by the tests: random weights, a byte-level BPE
tokenizer trained here on a few strings, saved to a directory (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

CHAT_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")

TEXTS = [
    "def main():\n    n = int(input())\n    print(n * 2)\n\nmain()\n",
    "#include <bits/stdc++.h>\nint main() { int n; std::cin >> n; std::cout << n * 2; }\n",
    "You are given an integer n. Print 2n.\nInput\nThe first line contains n.\nOutput\nPrint the answer.\n",
    "```python\nprint(sum(map(int, input().split())))\n```\nRATING: 800\nTAGS: math\nLANGUAGE IS python3\n"
    "CORRECT SOLUTION\n",
]


def build_tokenizer(chat: bool):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<pad>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(TEXTS * 4, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    if chat:
        fast.chat_template = CHAT_TEMPLATE
    return fast


def write_causal(path: Path, *, chat: bool = False, seed: int = 0) -> Path:
    """A GPT-2 shaped model: 2 layers, width 32."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = build_tokenizer(chat)
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=4096, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                        pad_token_id=tokenizer.pad_token_id)
    GPT2LMHeadModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def write_seq2seq(path: Path, *, seed: int = 0) -> Path:
    """A T5 shaped encoder-decoder: 1 layer each, width 32."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = build_tokenizer(False)
    torch.manual_seed(seed)
    config = T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=2,
                      pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                      decoder_start_token_id=tokenizer.pad_token_id)
    T5ForConditionalGeneration(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
