"""Byte-level BPE (GPT-2 style) trained on our own text, so llama.cpp can run it from GGUF metadata
(tokenizer.ggml.model = gpt2, pre = gpt-2). Pre-tokenisation uses the GPT-2 regex, as llama.cpp does."""
import collections
import regex

GPT2_SPLIT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
SPECIALS = ["<|end|>"]  # id 0: end of answer (EOS)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


B2U = bytes_to_unicode()


def to_symbols(word: str):
    return tuple(B2U[b] for b in word.encode("utf-8"))


def train(texts, vocab_size):
    """Returns (tokens, merges): tokens[0] is <|end|>, then 256 byte symbols, then merged symbols."""
    words = collections.Counter()
    for t in texts:
        words.update(GPT2_SPLIT.findall(t))
    seqs = [list(to_symbols(w)) for w in words]
    freqs = [words[w] for w in words]
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for i, s in enumerate(seqs):
        for a, b in zip(s, s[1:]):
            pairs[(a, b)] += freqs[i]
            where[(a, b)].add(i)
    tokens = SPECIALS + [B2U[b] for b in range(256)]
    merges = []
    while len(tokens) < vocab_size and pairs:
        (a, b), count = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if count < 2:
            break
        merges.append(f"{a} {b}")
        new = a + b
        tokens.append(new)
        for i in list(where[(a, b)]):
            s, f = seqs[i], freqs[i]
            for x, y in zip(s, s[1:]):
                pairs[(x, y)] -= f
                if pairs[(x, y)] <= 0:
                    del pairs[(x, y)]
            j, out = 0, []
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            seqs[i] = out
            for x, y in zip(out, out[1:]):
                pairs[(x, y)] += f
                where[(x, y)].add(i)
        del where[(a, b)]
        pairs.pop((a, b), None)
    return tokens, merges


class Tokenizer:
    def __init__(self, tokens, merges):
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.ranks = {tuple(m.split(" ")): r for r, m in enumerate(merges)}
        self.cache = {}
        self.eos = 0

    def _word(self, word):
        if word in self.cache:
            return self.cache[word]
        s = list(to_symbols(word))
        while len(s) > 1:
            best = min(((self.ranks.get((x, y), 1 << 30), k) for k, (x, y) in enumerate(zip(s, s[1:]))))
            if best[0] == 1 << 30:
                break
            k = best[1]
            s = s[:k] + [s[k] + s[k + 1]] + s[k + 2:]
        ids = [self.ids[x] for x in s]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        out = []
        for w in GPT2_SPLIT.findall(text):
            out.extend(self._word(w))
        return out

    def decode(self, ids):
        u2b = {v: k for k, v in B2U.items()}
        return bytes(u2b[c] for i in ids if i >= len(SPECIALS) for c in self.tokens[i]).decode("utf-8", "replace")
