"""Writes a tiny, UNTRAINED cross-encoder in ONNX: the shape of an NLI cross-encoder (input_ids, attention_mask,
token_type_ids -> logits over contradiction/entailment/neutral) with random weights, over BERT's 30,522-token
vocabulary. It exists only so the CrossEncoderJudge's loading, pair tokenisation and scoring are tested against a
real ONNX Runtime session; its scores carry no meaning. Usage: python tiny_cross_encoder.py OUT_DIR"""
import json
import os
import sys

import torch
import torch.nn as nn


class TinyCrossEncoder(nn.Module):
    def __init__(self, vocab=30522, dim=8, labels=3):
        super().__init__()
        self.token = nn.Embedding(vocab, dim)
        self.segment = nn.Embedding(2, dim)
        self.out = nn.Linear(dim, labels)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.token(input_ids) + self.segment(token_type_ids)
        mask = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.out(torch.tanh(pooled))


def main(out_dir):
    torch.manual_seed(0)
    os.makedirs(out_dir, exist_ok=True)
    model = TinyCrossEncoder().eval()
    ids = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), os.path.join(out_dir, "model.onnx"),
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "logits": {0: "batch"}}, opset_version=17, dynamo=False)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump({"id2label": {"0": "contradiction", "1": "entailment", "2": "neutral"}}, f, indent=1)
    print("torch", torch.__version__, "wrote", os.listdir(out_dir))


if __name__ == "__main__":
    main(sys.argv[1])
