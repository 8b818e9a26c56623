"""Multi30k English -> German: ``multi30k_de_en`` with the languages swapped.

python -m lstm_jax.main --config=configs/multi30k_en_de.py --workdir=/tmp/m30k_en_de
"""

from configs import multi30k_de_en


def get_config():
    c = multi30k_de_en.get_config()
    c.data.source_lang, c.data.target_lang = "en", "de"
    return c
