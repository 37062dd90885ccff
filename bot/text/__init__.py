"""Text as every part of crampbot reads it: normalising, words, sentences, stems, sounds."""
