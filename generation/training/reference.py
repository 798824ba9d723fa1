"""NumPy forward pass of the reader (llama architecture, llama.cpp conventions: RoPE on adjacent
pairs, tied output embedding). Used to check that a GGUF written by gguf_writer means in llama.cpp what
it means in training: `python3 reference.py random OUT.gguf` writes a random model plus greedy
continuations that the Java test compares."""
import json
import sys
import numpy as np


def rms(x, w, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def rope(x, base):  # x: [T, H, hd]
    T, H, hd = x.shape
    inv = base ** (-np.arange(0, hd, 2) / hd)
    ang = np.arange(T)[:, None] * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    x0, x1 = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = x0 * c - x1 * s
    out[..., 1::2] = x0 * s + x1 * c
    return out


def forward(W, cfg, ids):
    H, D = cfg["heads"], cfg["dim"]
    hd = D // H
    x = W["token_embd.weight"][ids].astype(np.float64)
    T = len(ids)
    mask = np.triu(np.full((T, T), -np.inf), 1)
    for i in range(cfg["layers"]):
        p = f"blk.{i}."
        h = rms(x, W[p + "attn_norm.weight"], cfg["eps"])
        q = rope((h @ W[p + "attn_q.weight"].T).reshape(T, H, hd), cfg["rope_base"])
        k = rope((h @ W[p + "attn_k.weight"].T).reshape(T, H, hd), cfg["rope_base"])
        v = (h @ W[p + "attn_v.weight"].T).reshape(T, H, hd)
        att = np.einsum("thd,shd->hts", q, k) / np.sqrt(hd) + mask
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        o = np.einsum("hts,shd->thd", att, v).reshape(T, D)
        x = x + o @ W[p + "attn_output.weight"].T
        h = rms(x, W[p + "ffn_norm.weight"], cfg["eps"])
        g = h @ W[p + "ffn_gate.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ W[p + "ffn_up.weight"].T)) @ W[p + "ffn_down.weight"].T
    x = rms(x, W["output_norm.weight"], cfg["eps"])
    return x @ W["token_embd.weight"].T


def greedy(W, cfg, ids, n):
    ids = list(ids)
    out = []
    for _ in range(n):
        t = int(np.argmax(forward(W, cfg, ids)[-1]))
        out.append(t)
        if t == 0:
            break
        ids.append(t)
    return out


if __name__ == "__main__" and sys.argv[1] == "random":
    import bpe, gguf_writer, reader_format
    texts = [p["context"] for a in json.load(open(sys.argv[3]))["data"][:3] for p in a["paragraphs"]]
    tokens, merges = bpe.train(texts + [reader_format.render(reader_format.SYSTEM, "")] * 50, 600)
    tok = bpe.Tokenizer(tokens, merges)
    cfg = dict(dim=64, layers=2, heads=4, ffn=128, eps=1e-5, rope_base=10000.0, ctx=512)
    rng = np.random.default_rng(7)
    V, D, F = len(tokens), cfg["dim"], cfg["ffn"]
    W = {"token_embd.weight": rng.normal(0, 1.0, (V, D)), "output_norm.weight": rng.uniform(0.5, 1.5, D)}
    for i in range(cfg["layers"]):
        p = f"blk.{i}."
        W[p + "attn_norm.weight"] = rng.uniform(0.5, 1.5, D)
        for n in ("attn_q", "attn_k", "attn_v", "attn_output"):
            W[p + n + ".weight"] = rng.normal(0, 0.5, (D, D))
        W[p + "ffn_norm.weight"] = rng.uniform(0.5, 1.5, D)
        W[p + "ffn_gate.weight"] = rng.normal(0, 0.3, (F, D))
        W[p + "ffn_up.weight"] = rng.normal(0, 0.3, (F, D))
        W[p + "ffn_down.weight"] = rng.normal(0, 0.3, (D, F))
    W = {k: v.astype(np.float32) for k, v in W.items()}
    md = gguf_writer.llama_metadata("random-check", tok, cfg)
    md["_f32"] = list(W)
    gguf_writer.write(sys.argv[2], md, W)
    prompts = ["The Normans were", "Question: In what country is Normandy located?\nAnswer:"]
    checks = []
    for p in prompts:
        ids = tok.encode(p)
        out = greedy(W, cfg, ids, 12)
        checks.append({"prompt": p, "prompt_ids": ids, "greedy_ids": out, "greedy_text": tok.decode(out)})
    json.dump(checks, open(sys.argv[2] + ".expected.json", "w"), indent=1)
    print(json.dumps(checks, indent=1))
