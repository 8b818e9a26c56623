"""Text -> tokens for the tasks that read sentences (classification, translation).

A sentencepiece model is trained on the training split once and kept in the workdir
(written only when the caller says every check passed), so evaluation and prediction
tokenize exactly as training did.
"""

from __future__ import annotations

import os
import re
import tempfile

from lstm_jax.errors import ConfigError
from lstm_jax.files import write_atomic

TOKENIZERS = ("word", "wordpunct", "sentencepiece")
SPM_FILE = "spm.model"


class Tokenizer:
    """Text -> tokens: ``word`` splits on whitespace (pre-tokenized corpora such as SST),
    ``wordpunct`` also splits punctuation off words, ``sentencepiece`` uses subwords
    trained on the training split."""

    def __init__(
        self,
        kind: str,
        lowercase: bool,
        workdir: str,
        train_texts: list[str],
        vocab_size: int = 0,
        name: str = SPM_FILE,
    ):
        if kind not in TOKENIZERS:
            raise ConfigError(f"unknown data.tokenizer {kind!r}; choose one of {TOKENIZERS}")
        self.kind, self.lowercase, self.sp, self.name = kind, lowercase, None, name
        if self.kind != "sentencepiece":
            return
        try:
            import sentencepiece as spm
        except ImportError:
            raise ConfigError(
                "data.tokenizer=sentencepiece needs: pip install -e '.[text]'"
            ) from None
        path = os.path.join(workdir, name)
        if not os.path.exists(path):
            if not vocab_size:
                raise ConfigError("data.tokenizer=sentencepiece needs data.vocab_size > 0")
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    spm.SentencePieceTrainer.train(
                        sentence_iterator=iter([self._case(t) for t in train_texts]),
                        model_prefix=os.path.join(tmp, "spm"),
                        vocab_size=vocab_size,
                        character_coverage=1.0,
                        num_threads=1,  # one thread: the same model on every run
                        minloglevel=2,
                    )
                except RuntimeError as e:  # sentencepiece's own reason, e.g. a size too high
                    reason = str(e).split("] ")[-1]
                    raise ConfigError(
                        f"sentencepiece (data.vocab_size={vocab_size}): {reason}"
                    ) from None
                with open(os.path.join(tmp, "spm.model"), "rb") as f:
                    self.pending = f.read()
            self.sp = spm.SentencePieceProcessor(model_proto=self.pending)
        else:
            self.sp = spm.SentencePieceProcessor(model_file=path)
            self.pending = None

    def _case(self, s: str) -> str:
        return s.lower() if self.lowercase else s

    def __call__(self, s: str) -> list[str]:
        s = self._case(s)
        if self.sp is not None:
            return self.sp.encode(s, out_type=str)
        if self.kind == "wordpunct":
            return re.findall(r"\w+|[^\w\s]", s)
        return s.split()

    def save(self, workdir: str) -> None:
        if self.sp is not None and self.pending is not None:
            write_atomic(os.path.join(workdir, self.name), self.pending)
