"""BERT uncased WordPiece tokenization with character offsets, read from a Hugging Face tokenizer.json.

Mirrors what the Hugging Face tokenizers library does for bge-small-en-v1.5 (BertNormalizer with
lowercase + accent stripping + Chinese-character splitting, BertPreTokenizer, WordPiece with "##"
continuations), so that training features match what ONNX Runtime sees from Java's DJL tokenizer. The
Java test `ReaderReferenceTest` checks the two agree on a fixture."""
import json
import unicodedata


def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_space(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


class WordPiece:
    def __init__(self, tokenizer_json):
        spec = json.load(open(tokenizer_json, encoding="utf-8"))
        self.vocab = spec["model"]["vocab"]
        self.unk = self.vocab[spec["model"].get("unk_token", "[UNK]")]
        self.max_chars = spec["model"].get("max_input_chars_per_word", 100)
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self.pad = self.vocab["[PAD]"]

    def _normalize(self, text):
        """Normalized characters, each with the offset of the original character it came from."""
        out = []
        for i, ch in enumerate(text):
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_space(ch):
                out.append((" ", i))
                continue
            if _is_cjk(cp):
                out.extend([(" ", i), (ch, i), (" ", i)])
                continue
            for c in unicodedata.normalize("NFD", ch.lower()):
                if unicodedata.category(c) == "Mn":
                    continue
                out.append((c, i))
        return out

    def _words(self, text):
        """Pre-tokenized words as (string, [original offsets per char])."""
        words, cur, offs = [], [], []
        for c, i in self._normalize(text):
            if c == " ":
                if cur:
                    words.append(("".join(cur), offs)); cur, offs = [], []
            elif _is_punct(c):
                if cur:
                    words.append(("".join(cur), offs)); cur, offs = [], []
                words.append((c, [i]))
            else:
                cur.append(c); offs.append(i)
        if cur:
            words.append(("".join(cur), offs))
        return words

    def encode(self, text):
        """Token ids and (start, end) character offsets into `text`, without special tokens."""
        ids, spans = [], []
        for word, offs in self._words(text):
            start_char, end_char = offs[0], offs[-1] + 1
            if len(word) > self.max_chars:
                ids.append(self.unk); spans.append((start_char, end_char)); continue
            pieces, start, bad = [], 0, False
            while start < len(word):
                end, found = len(word), None
                while start < end:
                    sub = word[start:end] if start == 0 else "##" + word[start:end]
                    if sub in self.vocab:
                        found = self.vocab[sub]; break
                    end -= 1
                if found is None:
                    bad = True; break
                pieces.append((found, offs[start], offs[end - 1] + 1))
                start = end
            if bad:
                ids.append(self.unk); spans.append((start_char, end_char))
            else:
                for tid, s, e in pieces:
                    ids.append(tid); spans.append((s, e))
        return ids, spans
