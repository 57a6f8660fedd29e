"""The poet: corpus builder, syllable counter, LSTM language model, training and writing."""
