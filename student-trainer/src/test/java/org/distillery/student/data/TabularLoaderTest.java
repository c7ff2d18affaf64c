package org.distillery.student.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GLUE and PAWS-X style files load as they are, with column mapping and label ids. */
class TabularLoaderTest {
    @TempDir
    Path dir;

    @Test
    void glueQqpTsvWithPairsAndUnbalancedQuotes() throws Exception {
        Path file = Files.write(dir.resolve("qqp.tsv"), List.of("id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate",
                "1\t1\t2\tHow do I learn \"Java?\tWhat is Java?\t0",
                "2\t3\t4\tWhat is 2+2?\tHow much is 2 plus 2?\t1"));
        Dataset d = TabularLoader.load(file, new ColumnMapping("question1", "question2", "is_duplicate"), null);
        assertEquals(2, d.size());
        assertEquals("How do I learn \"Java?", d.examples().get(0).text());
        assertEquals("How much is 2 plus 2?", d.examples().get(1).pair());
        assertEquals(List.of("0", "1"), d.labelNames());
        assertEquals(1, d.examples().get(1).label());
    }

    @Test
    void pawsXJsonlAndCsvWithStringLabels() throws Exception {
        Path jsonl = Files.write(dir.resolve("paws.jsonl"), List.of(
                "{\"sentence1\": \"A cat sat.\", \"sentence2\": \"The cat sat.\", \"label\": 1}", "",
                "{\"sentence1\": \"Red, blue\", \"sentence2\": \"Green\", \"label\": 0}"));
        Dataset paws = TabularLoader.load(jsonl, new ColumnMapping("sentence1", "sentence2", "label"), null);
        assertEquals(2, paws.size());
        assertEquals("Red, blue", paws.examples().get(1).text());
        Path csv = Files.write(dir.resolve("sst.csv"), List.of("text,sentiment", "\"good, very good\",positive",
                "bad,negative", "fine,neutral"));
        Dataset sst = TabularLoader.load(csv, new ColumnMapping("text", null, "sentiment"), null);
        assertEquals(List.of("negative", "neutral", "positive"), sst.labelNames());
        assertEquals("good, very good", sst.examples().get(0).text());
        assertEquals(2, sst.examples().get(0).label());
    }

    @Test
    void badFilesSayWhatIsWrong() throws Exception {
        ColumnMapping columns = new ColumnMapping("sentence", null, "label");
        assertTrue(assertThrows(DataException.class, () -> TabularLoader.load(dir.resolve("none.tsv"), columns, null))
                .getMessage().contains("not found"));
        Path negative = Files.write(dir.resolve("neg.tsv"), List.of("sentence\tlabel", "a\t-1", "b\t0"));
        assertTrue(assertThrows(DataException.class, () -> TabularLoader.load(negative, columns, null))
                .getMessage().contains("label -1 is out of range"));
        Path single = Files.write(dir.resolve("one.tsv"), List.of("sentence\tlabel", "a\tx", "b\tx"));
        assertTrue(assertThrows(DataException.class, () -> TabularLoader.load(single, columns, null))
                .getMessage().contains("only one label"));
        Path json = Files.write(dir.resolve("bad.jsonl"), List.of("{\"sentence\": \"a\", \"label\": 0}", "{oops"));
        assertTrue(assertThrows(DataException.class, () -> TabularLoader.load(json, columns, null))
                .getMessage().contains("line 2: not JSON"));
        Path parquet = Files.write(dir.resolve("x.parquet"), List.of("x"));
        assertTrue(assertThrows(DataException.class, () -> TabularLoader.load(parquet, columns, null))
                .getMessage().contains("expected a .jsonl, .csv or .tsv"));
    }
}
