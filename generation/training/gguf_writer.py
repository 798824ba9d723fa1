"""Minimal GGUF v3 writer (the format llama.cpp loads), for a `llama`-architecture model."""
import struct
import numpy as np

U32, I32, F32, BOOL, STRING, ARRAY, U64 = 4, 5, 6, 7, 8, 9, 10
GGML_F32, GGML_F16 = 0, 1
ALIGN = 32


def _str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def _value(v):
    if isinstance(v, bool):
        return struct.pack("<I?", BOOL, v)
    if isinstance(v, int):
        return struct.pack("<II", U32, v)
    if isinstance(v, float):
        return struct.pack("<If", F32, v)
    if isinstance(v, str):
        return struct.pack("<I", STRING) + _str(v)
    if isinstance(v, tuple) and v[0] == "i32[]":
        return struct.pack("<IIQ", ARRAY, I32, len(v[1])) + np.asarray(v[1], dtype="<i4").tobytes()
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return struct.pack("<IIQ", ARRAY, STRING, len(v)) + b"".join(_str(x) for x in v)
    raise TypeError(f"unsupported metadata value {v!r}")


def write(path, metadata: dict, tensors: dict):
    """tensors: name -> numpy array in PyTorch layout ([out, in]); 1-D tensors are stored F32, others F16
    unless already float32 and named in metadata['_f32'] (test models)."""
    keep_f32 = set(metadata.pop("_f32", []))
    header = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(metadata))
    for k, v in metadata.items():
        header += _str(k) + _value(v)
    infos, blobs, offset = b"", [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        f32 = arr.ndim == 1 or name in keep_f32
        data = arr.astype("<f4" if f32 else "<f2").tobytes()
        dims = arr.shape[::-1]  # ggml order: fastest-varying dimension first
        infos += _str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", GGML_F32 if f32 else GGML_F16, offset)
        pad = (-len(data)) % ALIGN
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    head = header + infos
    head += b"\0" * ((-len(head)) % ALIGN)
    with open(path, "wb") as f:
        f.write(head)
        for b in blobs:
            f.write(b)


def llama_metadata(name, tok, cfg, extra=None):
    md = {
        "general.architecture": "llama",
        "general.name": name,
        "general.file_type": 1,
        "llama.context_length": cfg["ctx"],
        "llama.embedding_length": cfg["dim"],
        "llama.block_count": cfg["layers"],
        "llama.feed_forward_length": cfg["ffn"],
        "llama.attention.head_count": cfg["heads"],
        "llama.attention.head_count_kv": cfg["heads"],
        "llama.attention.layer_norm_rms_epsilon": float(cfg["eps"]),
        "llama.rope.freq_base": float(cfg["rope_base"]),
        "llama.rope.dimension_count": cfg["dim"] // cfg["heads"],
        "llama.vocab_size": len(tok.tokens),
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": "gpt-2",
        "tokenizer.ggml.tokens": list(tok.tokens),
        "tokenizer.ggml.token_type": ("i32[]", [3] + [1] * (len(tok.tokens) - 1)),  # 3 = control
        "tokenizer.ggml.merges": [" ".join(m) for m in sorted(tok.ranks, key=tok.ranks.get)],
        "tokenizer.ggml.bos_token_id": 0,
        "tokenizer.ggml.eos_token_id": 0,
        "tokenizer.ggml.add_bos_token": False,
        "tokenizer.ggml.add_eos_token": False,
    }
    md.update(extra or {})
    return md
