package org.distillery.student.mlm;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.DataException;
import org.distillery.student.data.TinySentiment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a corpus, binarizing it, and the cache keyed by tokenizer and corpus. */
class MlmCorpusTest {
    @TempDir
    Path dir;
    private Path tokenizerFile;
    private SpecialTokens special;
    private List<String> documents;

    @BeforeEach
    void setUp() throws IOException {
        tokenizerFile = TinySentiment.writeTokenizer(dir.resolve("tokenizer.json"));
        special = SpecialTokens.read(tokenizerFile);
        documents = new ArrayList<>();
        List<String> sentences = TinySentiment.make(120, 3).examples().stream().map(e -> e.text()).toList();
        for (int i = 0; i + 6 <= sentences.size(); i += 6) {
            documents.add(String.join(" ", sentences.subList(i, i + 6)));
        }
        documents.add("the movie"); // too short: dropped
    }

    @Test
    void binarizesIntoFramedSequencesWithCounts() throws IOException {
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, 16, null)) {
            MlmCorpus corpus = MlmCorpus.load(documents, "test", tokenizerFile, tokenizer, special, null);
            long tokens = 0;
            for (int[] s : corpus.sequences()) {
                assertEquals(special.cls(), s[0]);
                assertEquals(special.sep(), s[s.length - 1]);
                assertTrue(s.length <= 16 && s.length >= MlmCorpus.MIN_TOKENS, "length " + s.length);
                tokens += s.length;
            }
            assertEquals(tokens, corpus.tokens());
            assertEquals(tokens, Arrays.stream(corpus.counts()).sum());
            assertFalse(Arrays.stream(corpus.documents()).anyMatch(d -> d == documents.size() - 1),
                    "the two-word document gives no sequence");
            // a document longer than one sequence is cut into pieces, not truncated
            long fromFirst = Arrays.stream(corpus.documents()).filter(d -> d == 0).count();
            long firstTokens = tokenizer.ids(documents.get(0)).length;
            assertTrue(firstTokens > 14 && fromFirst >= 2, firstTokens + " tokens gave " + fromFirst + " sequences");
        }
    }

    @Test
    void secondLoadComesFromTheCacheAndAChangeMakesANewEntry() throws IOException {
        Path cache = dir.resolve("cache");
        MlmCorpus first;
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, 16, null)) {
            first = MlmCorpus.load(documents, "corpus-a", tokenizerFile, tokenizer, special, cache);
            assertFalse(first.fromCache());
            MlmCorpus second = MlmCorpus.load(documents, "corpus-a", tokenizerFile, tokenizer, special, cache);
            assertTrue(second.fromCache());
            assertEquals(first.sequences().size(), second.sequences().size());
            for (int i = 0; i < first.sequences().size(); i++) {
                assertArrayEquals(first.sequences().get(i), second.sequences().get(i));
            }
            assertArrayEquals(first.counts(), second.counts());
            assertArrayEquals(first.documents(), second.documents());
            assertFalse(MlmCorpus.load(documents, "corpus-b", tokenizerFile, tokenizer, special, cache).fromCache(),
                    "another corpus fingerprint is another entry");
        }
        try (PaddedTokenizer longer = PaddedTokenizer.load(tokenizerFile, 24, null)) {
            assertFalse(MlmCorpus.load(documents, "corpus-a", tokenizerFile, longer, special, cache).fromCache(),
                    "another max length is another entry");
        }
        Path otherTokenizer = dir.resolve("other.json");
        Files.writeString(otherTokenizer, Files.readString(tokenizerFile) + "\n"); // same tokens, other bytes
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(otherTokenizer, 16, null)) {
            assertFalse(MlmCorpus.load(documents, "corpus-a", otherTokenizer, tokenizer, special, cache).fromCache(),
                    "another tokenizer file is another entry");
        }
        // a damaged entry is rebuilt, not trusted
        try (Stream<Path> files = Files.list(cache.resolve("mlm"))) {
            for (Path f : files.toList()) {
                byte[] bytes = Files.readAllBytes(f);
                Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
            }
        }
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, 16, null)) {
            MlmCorpus rebuilt = MlmCorpus.load(documents, "corpus-a", tokenizerFile, tokenizer, special, cache);
            assertFalse(rebuilt.fromCache());
            assertEquals(first.tokens(), rebuilt.tokens());
            assertTrue(MlmCorpus.load(documents, "corpus-a", tokenizerFile, tokenizer, special, cache).fromCache());
        }
    }

    @Test
    void splitKeepsEveryDocumentOnOneSide() throws IOException {
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, 12, null)) {
            MlmCorpus corpus = MlmCorpus.load(documents, "split", tokenizerFile, tokenizer, special, null);
            List<MlmCorpus> parts = corpus.splitByDocument(0.3, 1);
            Set<Integer> train = new HashSet<>();
            Arrays.stream(parts.get(0).documents()).forEach(train::add);
            Arrays.stream(parts.get(1).documents()).forEach(d -> assertFalse(train.contains(d), "document " + d));
            assertEquals(corpus.sequences().size(), parts.get(0).sequences().size() + parts.get(1).sequences().size());
            assertFalse(parts.get(1).sequences().isEmpty());
        }
    }

    @Test
    void readsLinesJsonlAndCsvColumns() throws IOException {
        Path txt = dir.resolve("corpus.txt");
        Files.writeString(txt, "first document\n\nsecond document\n");
        assertEquals(List.of("first document", "second document"), MlmCorpus.readDocuments(txt, "text"));
        Path jsonl = dir.resolve("corpus.jsonl");
        Files.writeString(jsonl, "{\"text\": \"a mail\", \"label\": 1}\n{\"text\": \"another\"}\n");
        assertEquals(List.of("a mail", "another"), MlmCorpus.readDocuments(jsonl, "text"));
        Path csv = dir.resolve("corpus.csv");
        Files.writeString(csv, "id,body\n1,\"one, with a comma\"\n2,two\n");
        assertEquals(List.of("one, with a comma", "two"), MlmCorpus.readDocuments(csv, "body"));
    }

    @Test
    void badCorporaSayWhatIsWrong() throws IOException {
        DataException missing = assertThrows(DataException.class,
                () -> MlmCorpus.readDocuments(dir.resolve("none.txt"), "text"));
        assertTrue(missing.getMessage().contains("corpus file not found"), missing.getMessage());
        Path jsonl = dir.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"text\": \"fine\"}\nnot json\n");
        DataException notJson = assertThrows(DataException.class, () -> MlmCorpus.readDocuments(jsonl, "text"));
        assertTrue(notJson.getMessage().contains("line 2") && notJson.getMessage().contains("not JSON"),
                notJson.getMessage());
        Path noColumn = dir.resolve("col.jsonl");
        Files.writeString(noColumn, "{\"body\": \"fine\"}\n");
        DataException column = assertThrows(DataException.class, () -> MlmCorpus.readDocuments(noColumn, "text"));
        assertTrue(column.getMessage().contains("line 1") && column.getMessage().contains("'text'"),
                column.getMessage());
        Path csv = dir.resolve("col.csv");
        Files.writeString(csv, "id,body\n1,x\n");
        DataException csvColumn = assertThrows(DataException.class, () -> MlmCorpus.readDocuments(csv, "text"));
        assertTrue(csvColumn.getMessage().contains("no column 'text'") && csvColumn.getMessage().contains("body"),
                csvColumn.getMessage());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n  \n");
        DataException none = assertThrows(DataException.class, () -> MlmCorpus.readDocuments(empty, "text"));
        assertTrue(none.getMessage().contains("has no documents"), none.getMessage());
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, 16, null)) {
            DataException tooShort = assertThrows(DataException.class, () -> MlmCorpus.load(List.of("the movie"),
                    "short", tokenizerFile, tokenizer, special, null));
            assertTrue(tooShort.getMessage().contains("no sequence of at least"), tooShort.getMessage());
        }
    }
}
