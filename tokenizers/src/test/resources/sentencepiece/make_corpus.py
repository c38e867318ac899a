#!/usr/bin/env python3
"""Writes the mixed text used to train and test the SentencePiece models in this folder.

Deterministic (seeded): running it again gives the same bytes. English comes from this project's README; the
other scripts, symbols and whitespace come from the phrase lists below, written for this purpose. Usage:
    python3 make_corpus.py README.md train.txt test.txt
"""
import random
import re
import sys

PHRASES = [
    "分词器把文本切成子词", "我们今天学习注意力机制", "模型的词表大小是三万二千", "北京欢迎你", "机器学习与深度学习",
    "日本語のテキストも扱います", "東京は晴れです", "カタカナとひらがな", "한국어 문장도 섞어 봅니다", "서울의 날씨",
    "Café crème, naïve façade, déjà vu", "Über große Straßen fährt der Bäcker", "¿Dónde está la estación?",
    "Ærøskøbing og Ålborg", "Ελληνικά γράμματα αβγ", "Русский текст с буквой ё", "עברית קצרה", "مرحبا بالعالم",
    "हिन्दी पाठ", "ภาษาไทย", "Tiếng Việt có dấu", "emoji 😀 🚀 👍🏽 ❤️ 🇯🇵 👨‍👩‍👧", "full-width ＡＢＣ１２３ ＨＥＬＬＯ！",
    "half-width ｶﾀｶﾅ and ㈱ ① ℃ ﬁ ﬀ", "ligatures ﬃ and ½ ¼ ™ ㎏", "math ∑ x² + √2 ≈ 1.414 ∞", "prices: $9.99, €12, ¥500",
    "tabs\tand\tcolumns", "numbers 2024 1234567 3.14159 007", "code: int x = a[i] + b[j]; // sum",
    "URL https://example.org/a?b=c&d=e", "mail name@example.com", "quotes “double” ‘single’ «guillemets»",
    "dashes – — … and · bullets •", "combining e\u0301 a\u0308 o\u0303", "zero\u200bwidth and nbsp\u00a0here",
]
SPACES = [" ", "  ", "   ", "\t", " \u3000 ", "\u00a0"]


def words_from(path):
    text = open(path, encoding="utf-8").read()
    return [w for w in re.split(r"\s+", text) if w and len(w) < 30]


def line(rng, words):
    parts = []
    for _ in range(rng.randint(1, 5)):
        r = rng.random()
        if r < 0.55:
            parts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))))
        elif r < 0.9:
            parts.append(rng.choice(PHRASES))
        else:
            parts.append(str(rng.randint(0, 10 ** rng.randint(1, 9))))
    out = parts[0]
    for p in parts[1:]:
        out += (rng.choice(SPACES) if rng.random() < 0.2 else " ") + p
    if rng.random() < 0.1:
        out = "  " + out + "   "
    return out


def main():
    words = words_from(sys.argv[1])
    rng = random.Random(20260601)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        for _ in range(6000):
            f.write(line(rng, words) + "\n")
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        for _ in range(3000):
            f.write(line(rng, words) + "\n")


if __name__ == "__main__":
    main()
