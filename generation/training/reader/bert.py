"""A plain BERT encoder in PyTorch with an extractive-reader head, filled from a Hugging Face BERT ONNX
export (such as the bge-small-en-v1.5 model inside LangChain4j's model jar).

The reader head: per-token start and end logits (position 0, [CLS], is the "no answer" span, as in BERT
on SQuAD 2.0) plus one answerability logit from the [CLS] vector."""
import math
import re

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, d, heads, ffn, eps):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.attn_out = nn.Linear(d, d)
        self.attn_norm = nn.LayerNorm(d, eps=eps)
        self.inter = nn.Linear(d, ffn)
        self.out = nn.Linear(ffn, d)
        self.out_norm = nn.LayerNorm(d, eps=eps)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, bias):
        b, t, d = x.shape
        h = self.heads

        def split(y):
            return y.view(b, t, h, d // h).transpose(1, 2)

        q, k, v = split(self.query(x) * (1.0 / math.sqrt(d // h))), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2)
        # No dropout on attention weights: on CPU sampling the [batch, heads, T, T] mask costs more than the
        # rest of the layer, and hidden-state dropout remains.
        ctx = ((scores + bias.to(scores.dtype)).softmax(-1).to(v.dtype) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.attn_norm(x + self.drop(self.attn_out(ctx)))
        return self.out_norm(x + self.drop(self.out(F.gelu(self.inter(x)))))


class Reader(nn.Module):
    def __init__(self, vocab, d=384, layers=12, heads=12, ffn=1536, max_pos=512, eps=1e-12):
        super().__init__()
        self.word = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_pos, d)
        self.token_types = nn.Embedding(2, d)
        self.emb_norm = nn.LayerNorm(d, eps=eps)
        self.drop = nn.Dropout(0.1)
        self.layers = nn.ModuleList([Layer(d, heads, ffn, eps) for _ in range(layers)])
        self.span = nn.Linear(d, 2)
        self.answerable = nn.Linear(d, 1)

    def encode(self, input_ids, attention_mask, token_type_ids):
        t = input_ids.shape[1]
        positions = torch.arange(t, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.token_types(token_type_ids) + self.pos(positions)
        x = self.drop(self.emb_norm(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.encode(input_ids, attention_mask, token_type_ids)
        logits = self.span(x)
        return logits[..., 0], logits[..., 1], self.answerable(x[:, 0]).squeeze(-1)


def from_onnx(path, heads=12):
    """A Reader whose encoder holds the ONNX export's weights (heads freshly initialised)."""
    model = onnx.load(path)
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in model.graph.initializer}
    linear = {}  # module path -> weight [in, out] (MatMul weights are unnamed in the export)
    for node in model.graph.node:
        if node.op_type == "MatMul" and node.input[1] in inits:
            m = re.match(r"/(.*)/MatMul_output_0", node.output[0])
            if m:
                linear[m.group(1).replace("/", ".")] = inits[node.input[1]]
    vocab = inits["embeddings.word_embeddings.weight"].shape[0]
    n_layers = 1 + max(int(re.match(r"encoder\.layer\.(\d+)\.", k).group(1)) for k in linear if k.startswith("encoder.layer."))
    d = inits["embeddings.word_embeddings.weight"].shape[1]
    ffn = linear["encoder.layer.0.intermediate.dense"].shape[1]
    reader = Reader(vocab, d=d, layers=n_layers, heads=heads, ffn=ffn,
                    max_pos=inits["embeddings.position_embeddings.weight"].shape[0])

    def put(param, array):
        with torch.no_grad():
            param.copy_(torch.from_numpy(np.array(array)))

    put(reader.word.weight, inits["embeddings.word_embeddings.weight"])
    put(reader.pos.weight, inits["embeddings.position_embeddings.weight"])
    put(reader.token_types.weight, inits["embeddings.token_type_embeddings.weight"])
    put(reader.emb_norm.weight, inits["embeddings.LayerNorm.weight"])
    put(reader.emb_norm.bias, inits["embeddings.LayerNorm.bias"])
    names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
             "attn_out": "attention.output.dense", "inter": "intermediate.dense", "out": "output.dense"}
    norms = {"attn_norm": "attention.output.LayerNorm", "out_norm": "output.LayerNorm"}
    for i, layer in enumerate(reader.layers):
        p = f"encoder.layer.{i}."
        for attr, name in names.items():
            put(getattr(layer, attr).weight, linear[p + name].T)
            put(getattr(layer, attr).bias, inits[p + name + ".bias"])
        for attr, name in norms.items():
            put(getattr(layer, attr).weight, inits[p + name + ".weight"])
            put(getattr(layer, attr).bias, inits[p + name + ".bias"])
    return reader
