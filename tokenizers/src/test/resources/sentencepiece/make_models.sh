#!/bin/sh
# Regenerates the SentencePiece test models, the test text and the golden ids in this folder.
# Needs python3 and sentencepiece's command-line tools (Debian/Ubuntu: apt-get install sentencepiece; made with
# sentencepiece 0.1.97). The tests only read the committed outputs; nothing here runs in the build.
#   cd tokenizers/src/test/resources/sentencepiece && sh make_models.sh ../../../../../README.md
set -eu
readme=${1:-../../../../../README.md}
tmp=$(mktemp -d)
python3 make_corpus.py "$readme" "$tmp/train.txt" test.txt

common="--input=$tmp/train.txt --num_threads=1 --seed_sentencepiece_size=100000 --character_coverage=0.9995"

# Llama style: BPE, identity normalization, byte fallback, digits split, no whitespace clean-up.
spm_train $common --model_prefix=llama_bpe --model_type=bpe --vocab_size=1000 --byte_fallback=true \
  --split_digits=true --normalization_rule_name=identity --remove_extra_whitespaces=false \
  --allow_whitespace_only_pieces=true --unk_surface=" ⁇ "
# T5 style: Unigram, nmt_nfkc (the precompiled character map), </s> and <pad>, no <s>.
spm_train $common --model_prefix=t5_unigram --model_type=unigram --vocab_size=1000 \
  --normalization_rule_name=nmt_nfkc --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1
# The other corners: BPE with nmt_nfkc and no byte fallback; Unigram with identity and byte fallback;
# user-defined and control symbols; no dummy prefix. Only two models carry the nmt_nfkc character map (~240 KB).
spm_train $common --model_prefix=bpe_nfkc --model_type=bpe --vocab_size=800 --normalization_rule_name=nmt_nfkc
spm_train $common --model_prefix=unigram_bytes --model_type=unigram --vocab_size=1200 --byte_fallback=true \
  --normalization_rule_name=identity --user_defined_symbols="<mask>,llm4e" --control_symbols="<sep>,<cls>"
spm_train $common --model_prefix=bpe_nodummy --model_type=bpe --vocab_size=600 --add_dummy_prefix=false \
  --normalization_rule_name=identity --user_defined_symbols="<mask>,μ" --split_digits=true
spm_train $common --model_prefix=unigram_nodummy --model_type=unigram --vocab_size=600 --add_dummy_prefix=false \
  --normalization_rule_name=identity --remove_extra_whitespaces=false

for m in llama_bpe t5_unigram bpe_nfkc unigram_bytes bpe_nodummy unigram_nodummy; do
  spm_encode --model=$m.model --output_format=id < test.txt | gzip -9n > $m.ids.txt.gz
  rm -f $m.vocab
done
rm -rf "$tmp"
