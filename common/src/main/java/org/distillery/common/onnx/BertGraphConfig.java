package org.distillery.common.onnx;

/**
 * Shape of a BERT-style encoder classifier graph (post-LN layers, [CLS] pooling with a tanh pooler, linear
 * classifier).
 *
 * @param vocabSize        word embedding rows
 * @param hidden           hidden width
 * @param layers           encoder layers
 * @param heads            attention heads (divides hidden)
 * @param intermediate     feed-forward width
 * @param maxPositions     position embedding rows: the longest sequence the graph accepts
 * @param typeVocabSize    token type embedding rows
 * @param labels           classifier outputs
 * @param layerNormEpsilon LayerNorm epsilon
 */
public record BertGraphConfig(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions,
                              int typeVocabSize, int labels, float layerNormEpsilon) {
    public BertGraphConfig {
        require(vocabSize > 0, "vocabSize", vocabSize);
        require(hidden > 0, "hidden", hidden);
        require(layers >= 0, "layers", layers);
        require(heads > 0 && hidden % heads == 0, "heads (must divide hidden " + hidden + ")", heads);
        require(intermediate > 0, "intermediate", intermediate);
        require(maxPositions > 0, "maxPositions", maxPositions);
        require(typeVocabSize > 0, "typeVocabSize", typeVocabSize);
        require(labels > 0, "labels", labels);
        require(layerNormEpsilon > 0, "layerNormEpsilon", layerNormEpsilon);
    }

    private static void require(boolean ok, String what, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid " + what + ": " + value);
        }
    }

    /** A BERT-mini-sized teacher: 4 layers, hidden 256, 4 heads, intermediate 1024, 512 positions. */
    public static BertGraphConfig bertMini(int vocabSize, int labels) {
        return new BertGraphConfig(vocabSize, 256, 4, 4, 1024, 512, 2, labels, 1e-12f);
    }
}
