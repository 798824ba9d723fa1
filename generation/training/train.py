"""Trains the Ragline reader (a small llama-architecture decoder) and exports it to GGUF.

  python3 train.py --data data/dev-shared.json --out OUT_DIR --seconds 420

Runs on one GPU (bf16). Trains only on the training articles (split.py holds out 5 of the 25 SQuAD
articles). Writes OUT_DIR/ragline-reader.gguf and OUT_DIR/ragline-reader.provenance.json."""
import argparse
import datetime
import hashlib
import json
import math
import multiprocessing as mp
import os
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import bpe
import data
import gguf_writer
import reader_format
import split

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = dict(dim=320, layers=6, heads=5, ffn=864, eps=1e-5, rope_base=10000.0, ctx=1024)
PROMPT_LOSS_WEIGHT = 0.1  # some language modelling on the prompt; the answer tokens weigh 1


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(d)), eps

    def forward(self, x):
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight


def rope(x, cos, sin):  # x [B,T,H,hd]; llama.cpp "normal" rope: rotate adjacent pairs
    x0, x1 = x[..., 0::2], x[..., 1::2]
    return torch.stack([x0 * cos - x1 * sin, x0 * sin + x1 * cos], -1).flatten(-2)


class Block(nn.Module):
    def __init__(self, c, drop):
        super().__init__()
        d, f = c["dim"], c["ffn"]
        self.heads, self.drop = c["heads"], drop
        self.attn_norm, self.ffn_norm = RMSNorm(d, c["eps"]), RMSNorm(d, c["eps"])
        self.attn_q, self.attn_k, self.attn_v, self.attn_output = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.ffn_gate, self.ffn_up = nn.Linear(d, f, bias=False), nn.Linear(d, f, bias=False)
        self.ffn_down = nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin):
        B, T, D = x.shape
        h = self.attn_norm(x)
        q = rope(self.attn_q(h).view(B, T, self.heads, -1), cos, sin).transpose(1, 2)
        k = rope(self.attn_k(h).view(B, T, self.heads, -1), cos, sin).transpose(1, 2)
        v = self.attn_v(h).view(B, T, self.heads, -1).transpose(1, 2)
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.drop if self.training else 0.0)
        x = x + F.dropout(self.attn_output(o.transpose(1, 2).reshape(B, T, D)), self.drop, self.training)
        h = self.ffn_norm(x)
        return x + F.dropout(self.ffn_down(F.silu(self.ffn_gate(h)) * self.ffn_up(h)), self.drop, self.training)


class Reader(nn.Module):
    def __init__(self, c, vocab, drop=0.1):
        super().__init__()
        self.c = c
        self.token_embd = nn.Embedding(vocab, c["dim"])
        self.blocks = nn.ModuleList(Block(c, drop) for _ in range(c["layers"]))
        self.output_norm = RMSNorm(c["dim"], c["eps"])
        hd = c["dim"] // c["heads"]
        inv = c["rope_base"] ** (-torch.arange(0, hd, 2).float() / hd)
        ang = torch.arange(c["ctx"]).float()[:, None] * inv[None, :]
        self.register_buffer("cos", ang.cos()[None, :, None, :], persistent=False)
        self.register_buffer("sin", ang.sin()[None, :, None, :], persistent=False)
        for n, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * c["layers"]) if n.endswith(("attn_output.weight", "ffn_down.weight")) else 0.02
                nn.init.normal_(p, 0, std)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.token_embd(ids)
        cos, sin = self.cos[:, :T].to(x.dtype), self.sin[:, :T].to(x.dtype)
        for b in self.blocks:
            x = b(x, cos, sin)
        return self.output_norm(x) @ self.token_embd.weight.T  # tied output, as llama.cpp does without output.weight

    def gguf_tensors(self):
        sd = {k: v.detach().float().cpu().numpy() for k, v in self.state_dict().items()}
        out = {"token_embd.weight": sd["token_embd.weight"]}
        for i in range(self.c["layers"]):
            for k, v in sd.items():
                if k.startswith(f"blocks.{i}."):
                    out[f"blk.{i}." + k[len(f"blocks.{i}."):]] = v
        out["output_norm.weight"] = sd["output_norm.weight"]
        return out


def tokenize_epoch(args):
    seed, path = args
    tok = load_tokenizer()
    train, _ = split.load(path)
    out = []
    for prompt, target in data.epoch(train, random.Random(seed)):
        p, t = tok.encode(prompt), tok.encode(target) + [tok.eos]
        if len(p) + len(t) <= CFG["ctx"]:
            out.append((np.array(p + t, dtype=np.int16), len(p)))
    return out


def load_tokenizer():
    j = json.load(open(os.path.join(HERE, "tokenizer.json"), encoding="utf-8"))
    return bpe.Tokenizer(j["tokens"], j["merges"])


def batches(examples, rng, budget_tokens):
    rng.shuffle(examples)
    for i in range(0, len(examples), 4096):
        chunk = sorted(examples[i:i + 4096], key=lambda e: len(e[0]))
        j = 0
        while j < len(chunk):
            L = len(chunk[min(len(chunk) - 1, j + 7)][0])
            n = max(8, budget_tokens // max(L, 1))
            group = chunk[j:j + n]
            j += n
            T = max(len(e[0]) for e in group)
            ids = np.zeros((len(group), T), dtype=np.int64)
            w = np.zeros((len(group), T), dtype=np.float32)
            for r, (seq, plen) in enumerate(group):
                ids[r, :len(seq)] = seq
                w[r, 1:plen] = PROMPT_LOSS_WEIGHT
                w[r, plen:len(seq)] = 1.0
            yield ids, w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=420)
    ap.add_argument("--epochs-ahead", type=int, default=48)
    ap.add_argument("--batch-tokens", type=int, default=65536)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    t0 = time.time()
    tok = load_tokenizer()
    with mp.Pool(min(14, os.cpu_count())) as pool:
        epochs = pool.map(tokenize_epoch, [(a.seed + e, a.data) for e in range(a.epochs_ahead)])
    n_tokens_epoch = sum(len(s) for s, _ in epochs[0])
    print(f"data: {len(epochs)} epochs of {len(epochs[0])} examples, {n_tokens_epoch} tokens each, {time.time()-t0:.0f}s", flush=True)

    dev = "cuda"
    model = Reader(CFG, len(tok.tokens)).to(dev)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"params: {n_params}", flush=True)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), fused=True)
    rng = random.Random(a.seed)
    start, step, seen, ema, ema_ans = time.time(), 0, 0, None, None
    done, epoch_i = False, 0
    while not done:
        for ids, w in batches(list(epochs[epoch_i % len(epochs)]), rng, a.batch_tokens):
            frac = (time.time() - start) / a.seconds
            if frac >= 1:
                done = True
                break
            lr = a.lr * min(1.0, (step + 1) / 300) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g["lr"] = lr
            ids_t = torch.from_numpy(ids).to(dev, non_blocking=True)
            w_t = torch.from_numpy(w).to(dev, non_blocking=True)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(ids_t[:, :-1])
            ce = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), ids_t[:, 1:].reshape(-1), reduction="none")
            ww = w_t[:, 1:].reshape(-1)
            loss = (ce * ww).sum() / ww.sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
            seen += int(ids.size)
            if step % 100 == 0:
                ans = ww == 1.0
                l_ans = float((ce * ans).sum() / ans.sum())
                ema = float(loss) if ema is None else 0.9 * ema + 0.1 * float(loss)
                ema_ans = l_ans if ema_ans is None else 0.9 * ema_ans + 0.1 * l_ans
                print(f"step {step} epoch {epoch_i} t={time.time()-start:.0f}s lr={lr:.2e} loss={ema:.3f} "
                      f"answer_loss={ema_ans:.3f} tok/s={seen/(time.time()-start):.0f}", flush=True)
        epoch_i += 1
    train_s = time.time() - start

    model.eval()
    gguf = os.path.join(a.out, "ragline-reader.gguf")
    files = ["train.py", "data.py", "bpe.py", "gguf_writer.py", "reader_format.py", "split.py", "tokenizer.json"]
    train_arts, held = split.load(a.data)
    prov = {
        "artifact": "ragline-reader.gguf",
        "architecture": "llama (RMSNorm, RoPE, SwiGLU, tied embeddings), byte-level BPE tokenizer (gpt2, pre gpt-2)",
        "parameters": {**CFG, "vocab": len(tok.tokens), "n_params": n_params, "dtype": "F16 (norms F32)",
                       "steps": step, "epochs": epoch_i, "tokens_seen": seen, "train_seconds": round(train_s),
                       "lr": a.lr, "batch_tokens": a.batch_tokens, "seed": a.seed, "dropout": 0.1,
                       "prompt_loss_weight": PROMPT_LOSS_WEIGHT,
                       "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__},
        "dataset": "SQuAD 2.0 dev-shared.json (25 of the 35 dev articles), training articles only, plus "
                   "synthetic cloze questions and withheld-paragraph (abstain) examples derived from them",
        "datasetSha256": sha256(a.data),
        "heldOutArticles": [x["title"] for x in held],
        "heldOutIndices": list(split.HELD_OUT_INDICES),
        "trainingArticles": [x["title"] for x in train_arts],
        "trainingScriptSha256": {f: sha256(os.path.join(HERE, f)) for f in files},
        "abstainPhrase": reader_format.ABSTAIN,
        "metrics": {"final_train_loss_ema": ema, "final_answer_loss_ema": ema_ans},
        "createdAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    md = gguf_writer.llama_metadata("ragline-reader", tok, CFG)
    gguf_writer.write(gguf, md, model.gguf_tensors())
    prov["ggufSha256"] = sha256(gguf)
    # Greedy continuations of the fixture prompt (unconstrained), for the Java export check.
    fixture = open(os.path.join(HERE, "prompt_fixture.txt"), encoding="utf-8").read()
    ids = tok.encode(fixture)
    with torch.no_grad():
        for _ in range(16):
            t = int(model(torch.tensor([ids], device=dev)).float()[0, -1].argmax())
            if t == tok.eos:
                break
            ids.append(t)
    prov["fixtureGreedy"] = tok.decode(ids[len(tok.encode(fixture)):])
    json.dump(prov, open(os.path.join(a.out, "ragline-reader.provenance.json"), "w"), indent=2)
    print(json.dumps(prov["parameters"]), "\nfixture greedy:", repr(prov["fixtureGreedy"]), flush=True)
    torch.save(model.state_dict(), os.path.join(a.out, "ragline-reader.pt"))


if __name__ == "__main__":
    main()
