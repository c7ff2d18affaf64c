package org.distillery.student.mlm;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.DataException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A masked-LM corpus, binarized: every document tokenized (no special tokens), cut into pieces of at most
 * {@code maxLength − 2} tokens, each framed as {@code [CLS] piece [SEP]}; pieces of fewer than
 * {@link #MIN_TOKENS} tokens in all are dropped (DistilBERT drops sequences of 11 tokens or fewer). Beside the
 * sequences, the count of every token id over them, for MLM smoothing.
 *
 * <p>Binarizing is cached: {@code CACHE/mlm/KEY.bin}, with KEY a SHA-256 over the tokenizer file's bytes, the
 * corpus fingerprint and the max length, so a later run over the same corpus and tokenizer skips it, and any change
 * to either makes a new entry. The file is written atomically and checked when read (magic, version, sizes); a
 * damaged one is rebuilt.
 *
 * @param sequences   token ids of each sequence, {@code [CLS] ... [SEP]}
 * @param documents   the document each sequence came from
 * @param counts      occurrences of each token id over all sequences, {@code [vocab]}
 * @param fingerprint the cache key
 * @param fromCache   true when read from the cache rather than built
 */
public record MlmCorpus(List<int[]> sequences, int[] documents, long[] counts, String fingerprint,
                        boolean fromCache) {
    /** Shortest sequence kept, special tokens included. */
    public static final int MIN_TOKENS = 12;
    private static final int MAGIC = 0x444D4C4D; // "DMLM"
    private static final int VERSION = 2;

    /** Tokens in all sequences, special tokens included. */
    public long tokens() {
        long n = 0;
        for (int[] s : sequences) {
            n += s.length;
        }
        return n;
    }

    /**
     * The documents of a corpus file: a {@code .jsonl}/{@code .json} file (one JSON object per line) or a
     * {@code .csv} file with a header, read from {@code textColumn}; any other file holds one document per line.
     * Blank documents are skipped.
     *
     * @throws DataException for a missing file, a missing column or an unreadable line, naming the line
     */
    public static List<String> readDocuments(Path file, String textColumn) {
        if (!Files.isRegularFile(file)) {
            throw new DataException("corpus file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<String> documents = new ArrayList<>();
        try {
            if (name.endsWith(".jsonl") || name.endsWith(".json")) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonElement parsed;
                    try {
                        parsed = JsonParser.parseString(lines.get(i));
                    } catch (RuntimeException e) {
                        throw new DataException(file + " line " + (i + 1) + ": not JSON (" + e.getMessage() + ")");
                    }
                    if (!(parsed instanceof JsonObject row) || !row.has(textColumn)
                            || !row.get(textColumn).isJsonPrimitive()) {
                        throw new DataException(file + " line " + (i + 1) + ": expected a JSON object with a "
                                + "string field '" + textColumn + "', got " + abbreviate(lines.get(i)));
                    }
                    add(documents, row.get(textColumn).getAsString());
                }
            } else if (name.endsWith(".csv")) {
                CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                     CSVParser parser = format.parse(reader)) {
                    if (!parser.getHeaderNames().contains(textColumn)) {
                        throw new DataException(file + ": no column '" + textColumn + "'; its columns are "
                                + parser.getHeaderNames());
                    }
                    for (CSVRecord record : parser) {
                        add(documents, record.get(textColumn));
                    }
                }
            } else {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    add(documents, line);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException("cannot read corpus " + file + ": " + e.getMessage(), e);
        }
        if (documents.isEmpty()) {
            throw new DataException("corpus " + file + " has no documents");
        }
        return documents;
    }

    private static void add(List<String> documents, String text) {
        if (text != null && !text.isBlank()) {
            documents.add(text);
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 60) + "...";
    }

    /** SHA-256 of a file's bytes, as hex: a corpus file's fingerprint. */
    public static String fileFingerprint(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (var in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 over documents in order: the fingerprint of a corpus given as texts. */
    public static String textsFingerprint(List<String> documents) {
        MessageDigest digest = sha256();
        for (String d : documents) {
            byte[] bytes = d.getBytes(StandardCharsets.UTF_8);
            digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * The binarized corpus, from the cache when it holds it, else built and cached.
     *
     * @param corpusFingerprint identifies the documents (see {@link #fileFingerprint}, {@link #textsFingerprint})
     * @param cacheDir          where {@code mlm/KEY.bin} lives; null to build without caching
     */
    public static MlmCorpus load(List<String> documents, String corpusFingerprint, Path tokenizerFile,
                                 PaddedTokenizer tokenizer, SpecialTokens special, Path cacheDir) throws IOException {
        int maxLength = tokenizer.maxLength();
        MessageDigest digest = sha256();
        digest.update(("distillery-mlm-corpus v" + VERSION + "\n" + corpusFingerprint + "\n" + maxLength + "\n")
                .getBytes(StandardCharsets.UTF_8));
        digest.update(Files.readAllBytes(tokenizerFile));
        String key = HexFormat.of().formatHex(digest.digest()).substring(0, 32);
        Path file = cacheDir == null ? null : cacheDir.resolve("mlm").resolve(key + ".bin");
        if (file != null && Files.isRegularFile(file)) {
            MlmCorpus cached = read(file, key, tokenizer.vocabularySize());
            if (cached != null) {
                return cached;
            }
        }
        MlmCorpus built = build(documents, tokenizer, special, key);
        if (file != null) {
            write(file, built);
        }
        return built;
    }

    static MlmCorpus build(List<String> documents, PaddedTokenizer tokenizer, SpecialTokens special, String key) {
        int piece = tokenizer.maxLength() - 2;
        List<int[]> sequences = new ArrayList<>();
        List<Integer> docs = new ArrayList<>();
        long[] counts = new long[tokenizer.vocabularySize()];
        for (int d = 0; d < documents.size(); d++) {
            long[] ids = tokenizer.ids(documents.get(d));
            for (int from = 0; from < ids.length; from += piece) {
                int to = Math.min(ids.length, from + piece);
                if (to - from + 2 < MIN_TOKENS) {
                    continue;
                }
                int[] seq = new int[to - from + 2];
                seq[0] = special.cls();
                for (int i = from; i < to; i++) {
                    seq[i - from + 1] = (int) ids[i];
                }
                seq[seq.length - 1] = special.sep();
                for (int id : seq) {
                    counts[id]++;
                }
                sequences.add(seq);
                docs.add(d);
            }
        }
        if (sequences.isEmpty()) {
            throw new DataException("the corpus gives no sequence of at least " + MIN_TOKENS + " tokens ("
                    + documents.size() + " documents)");
        }
        return new MlmCorpus(sequences, docs.stream().mapToInt(Integer::intValue).toArray(), counts, key, false);
    }

    private static void write(Path file, MlmCorpus corpus) throws IOException {
        AtomicFiles.write(file, out -> {
            DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
            data.writeInt(MAGIC);
            data.writeInt(VERSION);
            data.writeInt(corpus.counts.length);
            data.writeInt(corpus.sequences.size());
            for (int i = 0; i < corpus.sequences.size(); i++) {
                int[] s = corpus.sequences.get(i);
                data.writeInt(corpus.documents[i]);
                data.writeInt(s.length);
                for (int id : s) {
                    data.writeInt(id);
                }
            }
            for (long c : corpus.counts) {
                data.writeLong(c);
            }
            data.writeInt(MAGIC);
            data.flush();
        });
    }

    /** The cached corpus, or null when the file is damaged or of another version (it is then rebuilt). */
    private static MlmCorpus read(Path file, String key, int vocab) {
        try (DataInputStream data = new DataInputStream(new BufferedInputStream(Files.newInputStream(file),
                1 << 16))) {
            if (data.readInt() != MAGIC || data.readInt() != VERSION || data.readInt() != vocab) {
                return null;
            }
            int n = data.readInt();
            if (n < 0 || n > 100_000_000) {
                return null;
            }
            List<int[]> sequences = new ArrayList<>(n);
            int[] documents = new int[n];
            for (int i = 0; i < n; i++) {
                documents[i] = data.readInt();
                int length = data.readInt();
                if (length < 2 || length > 1 << 20) {
                    return null;
                }
                int[] s = new int[length];
                for (int j = 0; j < length; j++) {
                    s[j] = data.readInt();
                    if (s[j] < 0 || s[j] >= vocab) {
                        return null;
                    }
                }
                sequences.add(s);
            }
            long[] counts = new long[vocab];
            for (int i = 0; i < vocab; i++) {
                counts[i] = data.readLong();
            }
            if (data.readInt() != MAGIC) {
                return null;
            }
            return new MlmCorpus(sequences, documents, counts, key, true);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Splits by document: a document is held out when a hash of its index and {@code seed} falls in the first
     * {@code fraction}; every sequence of a document lands on the same side.
     *
     * @return the training part and the held-out part
     */
    public List<MlmCorpus> splitByDocument(double fraction, long seed) {
        List<int[]> trainSeq = new ArrayList<>();
        List<Integer> trainDocs = new ArrayList<>();
        List<int[]> heldSeq = new ArrayList<>();
        List<Integer> heldDocs = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            long h = mix(documents[i] * 0x9E3779B97F4A7C15L + seed);
            boolean held = (h >>> 11) * 0x1.0p-53 < fraction;
            (held ? heldSeq : trainSeq).add(sequences.get(i));
            (held ? heldDocs : trainDocs).add(documents[i]);
        }
        return List.of(new MlmCorpus(trainSeq, trainDocs.stream().mapToInt(Integer::intValue).toArray(), counts,
                        fingerprint + "/train", fromCache),
                new MlmCorpus(heldSeq, heldDocs.stream().mapToInt(Integer::intValue).toArray(), counts,
                        fingerprint + "/held-out", fromCache));
    }

    /** The first {@code n} sequences (all when fewer). */
    public MlmCorpus first(int n) {
        int k = Math.min(n, sequences.size());
        return new MlmCorpus(sequences.subList(0, k), java.util.Arrays.copyOf(documents, k), counts,
                fingerprint + "/first" + k, fromCache);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
