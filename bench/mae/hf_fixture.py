"""Makes the Hugging Face ViT-MAE fixture that plugins/mae's HfVitMaeTest loads in Java.

A tiny ViTMAEModel with random weights (every parameter drawn, LayerNorms and biases included),
saved with save_pretrained (config.json + model.safetensors), one fixed 32x32 RGB frame (raw
uint8, row-major H, W, C) and the embedding the Java encoder must give it: the mean of the patch
tokens of last_hidden_state, every patch encoded. Inputs are the frame scaled to [0, 1] (the Java
encoder's input; no ImageNet normalisation).

ViTMAEModel masks 75% of the patches at inference unless told not to: the config saved keeps the
default mask_ratio 0.75 (as a user's exported model would), and the reference embedding is taken
with mask_ratio set to 0 and the identity noise, so every patch is encoded in order.

    bench/mae/hf_fixture.sh [OUT_DIR]    (default plugins/mae/src/test/resources/hf-vit-mae)
"""
import json
import os
import sys

import numpy as np
import torch
from transformers import ViTMAEConfig, ViTMAEModel

out = sys.argv[1] if len(sys.argv) > 1 else "plugins/mae/src/test/resources/hf-vit-mae"
os.makedirs(out, exist_ok=True)
torch.manual_seed(13)
config = ViTMAEConfig(image_size=32, patch_size=8, num_channels=3, hidden_size=16, num_hidden_layers=2,
                      num_attention_heads=2, intermediate_size=64, decoder_hidden_size=16,
                      decoder_num_hidden_layers=1, decoder_num_attention_heads=2, decoder_intermediate_size=64)
model = ViTMAEModel(config).eval()
with torch.no_grad():
    # transformers 5 leaves the fixed sin-cos position table at zero in a model made from a config
    # (pre-trained files hold it); its own initialisation writes it
    model.embeddings.patch_embeddings.projection._is_hf_initialized = False
    model.embeddings.initialize_weights()
    assert model.embeddings.position_embeddings[0, 1:].abs().sum() > 0, "no position embeddings"

    for name, p in model.named_parameters():
        if p.requires_grad:  # not the fixed position embeddings
            p.add_(torch.randn_like(p) * 0.2)
model.save_pretrained(out, safe_serialization=True)

frame = np.random.default_rng(13).integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
frame.tofile(os.path.join(out, "frame.u8"))
pixels = torch.from_numpy(frame).float().div(255).permute(2, 0, 1).unsqueeze(0)
n = (32 // 8) ** 2
with torch.no_grad():
    masked = model(pixels).last_hidden_state  # the trap: 4 of 16 patches
    model.config.mask_ratio = 0.0
    full = model(pixels, noise=torch.arange(n, dtype=torch.float32).unsqueeze(0)).last_hidden_state
embedding = full[0, 1:].mean(0)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"embedding": [float(v) for v in embedding], "tokens_masked_default": int(masked.shape[1]),
               "tokens_unmasked": int(full.shape[1]), "transformers": __import__("transformers").__version__,
               "torch": torch.__version__}, f, indent=1)
print(f"wrote {out}: tokens with the default mask_ratio {masked.shape[1]}, with mask_ratio 0 {full.shape[1]}")
print("embedding", embedding.numpy().round(5))
