"""Speech recognition (task ``speech``): a BiLSTM-CTC recognizer on WAV recordings.

Clips come from manifests or a folder of files whose names give the transcript (FSDD's
``{digit}_{speaker}_{index}.wav``), isolated or joined into connected utterances
(``data.connected``). Features: log-mel or MFCC, normalized on the training split. The
loss is CTC (``optax.ctc_loss``); decoding is best path for validation and prefix beam
search (``decode.beam``) for test and predict. WER and CER are jiwer's, on the whole
split; utterance accuracy is the share of exact transcripts (isolated-digit accuracy).
Validation WER picks the best checkpoint; ``transcripts_{split}.txt`` holds
id, reference and hypothesis per utterance.

An utterance too short for its transcript under CTC (fewer output frames than tokens
plus repeated neighbours) cannot be aligned: it gets zero loss weight (counted and
printed at load), and in evaluation it is still decoded and scored.
"""

from __future__ import annotations

import os
from collections import Counter

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from lstm_jax.data import audio, batching, speech
from lstm_jax.data.audio_features import KINDS
from lstm_jax.errors import ConfigError
from lstm_jax.models.speech import SpeechRecognizer
from lstm_jax.nn import ctc
from lstm_jax.tasks import register
from lstm_jax.tasks.base import SPLIT_FILES, Task


def min_frames(label: np.ndarray) -> int:
    """Output frames CTC needs for ``label``: one per token, plus a blank between repeats."""
    return len(label) + int(np.sum(label[1:] == label[:-1]))


@register("speech")
class SpeechTask(Task):
    eval_metric = "wer"
    eval_mode = "min"
    keys = {
        "data": {
            # train/valid/test: manifests (JSON lines or TSV: audio_filepath, text) in dir;
            # empty: the files in dir named by data.pattern, split by the two rules (a
            # test manifest alone replaces the rules' test split)
            **SPLIT_FILES,
            "pattern": "{text}_{speaker}_{index}.wav",  # FSDD; {text} is the transcript
            "test_rule": "index=0-4",  # FSDD's official test set
            "valid_rule": "index=5-9",  # of the rest; e.g. speaker=george holds out a speaker
            "sample_rate": 8000,  # files at another rate are resampled (counted)
            "features": "logmel",  # logmel | mfcc
            "num_mels": 40,
            "num_mfcc": 13,
            "window_ms": 25.0,
            "hop_ms": 10.0,
            "tokens": "word",  # word | char: what CTC emits
            "spell_digits": True,  # "3" -> "three" (FSDD names its files by digit)
            "connected": False,  # join clips into utterances of min_words..max_words
            "connected_seed": 0,  # the utterances depend on this seed only
            "connected_train": 6000,
            "connected_valid": 300,
            "connected_test": 600,
            "min_words": 2,
            "max_words": 7,
            "min_silence_ms": 50.0,  # before, between and after the clips
            "max_silence_ms": 300.0,
            "pad_multiple": 32,  # frames per batch round up to this: few shapes to compile
            "eval_batch_size": 128,
        },
        "decode": {
            "beam": 8,  # prefix beam search for test and predict (1 = best path)
            "valid_beam": 1,  # best path at every validation: cheap
        },
    }
    positive = (
        "data.sample_rate",
        "data.num_mels",
        "data.num_mfcc",
        "data.pad_multiple",
        "data.eval_batch_size",
        "data.min_words",
        "decode.beam",
        "decode.valid_beam",
    )
    choices = {"data.features": KINDS, "data.tokens": speech.TOKENS}

    def check_config(self, config):
        super().check_config(config)
        d = config.data
        if d.max_words < d.min_words:
            raise ConfigError(f"data.max_words {d.max_words} < data.min_words {d.min_words}")
        if not 0 <= d.min_silence_ms <= d.max_silence_ms:
            raise ConfigError("need 0 <= data.min_silence_ms <= data.max_silence_ms")
        if config.model.get("stack", 1) < 1:
            raise ConfigError(f"model.stack must be >= 1, got {config.model.stack}")
        if bool(d.train) != bool(d.valid) or (d.train and not d.test):
            raise ConfigError(
                "give data.train, data.valid and data.test manifests, or none (the folder "
                "and rules; a data.test manifest alone replaces the rules' test split)"
            )

    def load(self, config, workdir):
        self.config, self.workdir = config, workdir
        self.data = speech.load(config, workdir)
        self._forward = None
        stack = config.model.stack
        for split in speech.SPLITS:
            frames = [-(-n // stack) for n in self.data.lengths(split)]
            short = sum(
                f < min_frames(y) for f, y in zip(frames, self.data.labels[split], strict=True)
            )
            if short:
                print(
                    f"speech: {short} {split} utterances are shorter than their transcripts "
                    f"after stacking {stack} frames: zero loss weight (still scored)"
                )
        d, n = self.data, {s: len(self.data.texts[s]) for s in speech.SPLITS}
        print(
            f"speech: {n['train']} train / {n['valid']} valid / {n['test']} test utterances, "
            f"{config.data.features} x {d.feats['train'][0].shape[1]}, "
            f"{len(d.tokens) - 1} tokens + blank"
        )
        return self.data

    def make_model(self, config, rngs):
        m = config.model
        return SpeechRecognizer(
            self.data.feats["train"][0].shape[1],
            len(self.data.tokens),
            m.hidden_features,
            m.num_layers,
            stack=m.stack,
            dropout=m.dropout,
            freq_masks=m.freq_masks,
            freq_width=m.freq_width,
            time_masks=m.time_masks,
            time_width=m.time_width,
            dtype=config.dtype,
            rngs=rngs,
        )

    def num_tokens(self, batch):
        return int(batch["lengths"] @ batch["weights"])  # frames

    def loss(self, model, batch, carry):
        logits, out_lengths = model(batch["features"], batch["lengths"])
        labels, label_lengths = batch["labels"], batch["label_lengths"]
        logit_pad = (jnp.arange(logits.shape[1])[None] >= out_lengths[:, None]).astype(jnp.float32)
        label_pad = (jnp.arange(labels.shape[1])[None] >= label_lengths[:, None]).astype(
            jnp.float32
        )
        per = optax.ctc_loss(logits, logit_pad, labels, label_pad, blank_id=0)
        valid = jnp.arange(labels.shape[1])[None, 1:] < label_lengths[:, None]
        repeats = jnp.sum((labels[:, 1:] == labels[:, :-1]) & valid, 1)
        w = batch["weights"] * (out_lengths >= label_lengths + repeats)
        n = jnp.sum(w)
        mean = jnp.sum(jnp.where(w > 0, per, 0.0)) / jnp.maximum(n, 1.0)
        return mean, ({"ctc": mean, "weight": n}, carry)

    def log_probs(self, model, feats: list[np.ndarray]) -> list[np.ndarray]:
        """Per utterance: float32[output frames, tokens] log-posteriors, in input order."""
        if self._forward is None:

            def forward(graphdef, state, x, lengths):
                logits, out_lengths = nnx.merge(graphdef, state)(x, lengths)
                return jax.nn.log_softmax(logits), out_lengths

            self._forward = jax.jit(forward, static_argnums=0)
        graphdef, state = nnx.split(model)
        out: list[np.ndarray] = [np.zeros((0, 0))] * len(feats)
        dummy = [np.zeros(0, np.int32)] * len(feats)
        rows = self.config.data.eval_batch_size
        for idx in batching.fixed_batches([len(f) for f in feats], rows):
            b = self.data.make_batch(feats, dummy, idx)
            lp, n = self._forward(graphdef, state, b["features"], b["lengths"])
            lp, n = np.asarray(lp), np.asarray(n)
            for row, i in enumerate(idx):
                if i >= 0:
                    out[i] = lp[row, : n[row]]
        return out

    def transcribe(self, model, feats: list[np.ndarray], beam: int) -> list[str]:
        """Transcripts by best path (``beam`` 1) or prefix beam search."""
        best = lambda lp: (
            ctc.collapse(np.argmax(lp, -1)) if beam == 1 else ctc.beam_search(lp, beam)[0][0]
        )
        return [self.data.decode(best(lp)) for lp in self.log_probs(model, feats)]

    def corpus_metrics(self, model, config, split):
        import jiwer

        beam = config.decode.beam if split == "test" else config.decode.valid_beam
        refs = self.data.texts[split]
        hyps = self.transcribe(model, self.data.feats[split], beam)
        # jiwer scores an empty hypothesis as all deletions
        lines = [f"{i}\t{r}\t{h}" for i, r, h in zip(self.data.ids[split], refs, hyps, strict=True)]
        return {
            "wer": jiwer.wer(refs, hyps),
            "cer": jiwer.cer(refs, hyps),
            "accuracy": float(np.mean([r == h for r, h in zip(refs, hyps, strict=True)])),
            "beam": float(beam),
            "outputs": {f"transcripts_{split}.txt": "\n".join(lines) + "\n"},
        }

    def baseline(self, config):
        """Always saying the training split's most frequent transcript."""
        import jiwer

        common = Counter(self.data.texts["train"]).most_common(1)[0][0]
        refs = self.data.texts["test"]
        return {"wer": jiwer.wer(refs, [common] * len(refs))}

    def describe(self, metrics, config, split):
        where = os.path.join(self.workdir, f"transcripts_{split}.txt")
        return (
            f"speech: {split} WER {metrics['wer']:.2%}, CER {metrics['cer']:.2%}, utterance "
            f"accuracy {metrics['accuracy']:.2%} (beam {int(metrics['beam'])}); "
            f"transcripts in {where}"
        )

    def predict(self, model, config, inputs):
        """One line per audio file: the file and its transcript (beam ``decode.beam``)."""
        if not inputs:
            raise ConfigError("give audio files to transcribe as arguments or with --input=FILE")
        feats = []
        for path in inputs:
            wave, _ = audio.read_audio(path, config.data.sample_rate)
            feats.append(self.data.featurize(wave))
        hyps = self.transcribe(model, feats, config.decode.beam)
        return [f"{p}\t{h}" for p, h in zip(inputs, hyps, strict=True)]
