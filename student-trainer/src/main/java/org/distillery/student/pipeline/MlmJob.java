package org.distillery.student.pipeline;

import ai.djl.ndarray.NDManager;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.TensorSpec;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.CacheDirectory;
import org.distillery.student.data.DataException;
import org.distillery.student.data.Example;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.mlm.MaskedBatch;
import org.distillery.student.mlm.MaskingOptions;
import org.distillery.student.mlm.MlmCorpus;
import org.distillery.student.mlm.MlmEvaluation;
import org.distillery.student.mlm.MlmMasker;
import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.MlmWire;
import org.distillery.student.mlm.SpecialTokens;
import org.distillery.student.mlm.TeacherLogits;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.DataOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.StudentOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.text.BertUncasedTokenizer;
import org.distillery.student.train.MlmTrainer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One masked-LM run from the command line ({@code train --task mlm}, {@code train-teacher --task mlm}): the corpus
 * read and binarized (cached), a held-out part split off by document (or read from {@code --validation}), a
 * {@code bert-mlm} student trained with or without a teacher server.
 *
 * @param heldOutFraction documents held out when no validation file is given
 * @param heldOutMax      held-out sequences scored at most
 */
public record MlmJob(DataOptions data, StudentOptions student, MlmObjectiveOptions objective, MaskingOptions masking,
                     TeacherLogits teacherLogits, TeacherOptions teacher, OptimizerOptions optimizer, RunOptions run,
                     double heldOutFraction, int heldOutMax) {
    /** Sentences of the tiny corpus joined into one document. */
    private static final int TINY_SENTENCES_PER_DOCUMENT = 4;

    /** The corpus, its held-out part and the tokenizer, as a run uses them. */
    public record Corpus(MlmCorpus train, MlmCorpus heldOut, Path tokenizer, SpecialTokens special) {
    }

    /** Reads and binarizes (or reads from the cache) the corpus, and splits it. */
    public static Corpus corpus(DataOptions data, PaddedTokenizer tokenizer, Path tokenizerFile,
                                double heldOutFraction, long seed) throws IOException {
        if ((data.dataset() == null) == (data.train() == null)) {
            throw new IllegalArgumentException("give exactly one of --dataset " + TrainingData.SPAM_ASSASSIN + "|"
                    + TrainingData.TINY + " or --train FILE");
        }
        Path cache = CacheDirectory.or(data.cacheDir());
        SpecialTokens special = SpecialTokens.read(tokenizerFile);
        List<String> documents;
        String fingerprint;
        if (data.dataset() != null) {
            documents = switch (data.dataset()) {
                case TrainingData.SPAM_ASSASSIN -> SpamAssassin.load(cache).examples().stream().map(Example::text)
                        .toList();
                case TrainingData.TINY -> tinyDocuments();
                default -> throw new IllegalArgumentException("unknown --dataset '" + data.dataset() + "'; built in: "
                        + TrainingData.SPAM_ASSASSIN + ", " + TrainingData.TINY);
            };
            fingerprint = data.dataset() + ":" + MlmCorpus.textsFingerprint(documents);
        } else {
            documents = MlmCorpus.readDocuments(data.train(), data.textCol());
            fingerprint = data.train().getFileName() + ":" + MlmCorpus.fileFingerprint(data.train()) + ":"
                    + data.textCol();
        }
        MlmCorpus all = MlmCorpus.load(documents, fingerprint, tokenizerFile, tokenizer, special, cache);
        if (data.validation() != null) {
            List<String> held = MlmCorpus.readDocuments(data.validation(), data.textCol());
            MlmCorpus heldOut = MlmCorpus.load(held, data.validation().getFileName() + ":"
                    + MlmCorpus.fileFingerprint(data.validation()) + ":" + data.textCol(), tokenizerFile, tokenizer,
                    special, cache);
            return new Corpus(all, heldOut, tokenizerFile, special);
        }
        List<MlmCorpus> parts = all.splitByDocument(heldOutFraction, seed);
        if (parts.get(0).sequences().isEmpty()) {
            throw new DataException("holding out " + heldOutFraction + " of the documents leaves no training data");
        }
        return new Corpus(parts.get(0), parts.get(1), tokenizerFile, special);
    }

    private static List<String> tinyDocuments() {
        List<Example> sentences = TinySentiment.make(TrainingData.TINY_EXAMPLES, 7).examples();
        List<String> documents = new ArrayList<>();
        for (int i = 0; i + TINY_SENTENCES_PER_DOCUMENT <= sentences.size(); i += TINY_SENTENCES_PER_DOCUMENT) {
            StringBuilder d = new StringBuilder();
            for (int j = i; j < i + TINY_SENTENCES_PER_DOCUMENT; j++) {
                d.append(sentences.get(j).text()).append(' ');
            }
            documents.add(d.toString().trim());
        }
        return documents;
    }

    /** The tokenizer file a run uses: {@code --tokenizer}, the tiny corpus' own, or BERT uncased (built, cached). */
    public static Path tokenizerFile(DataOptions data) {
        Path cache = CacheDirectory.or(data.cacheDir());
        if (data.tokenizer() != null) {
            return data.tokenizer();
        }
        return TrainingData.TINY.equals(data.dataset()) ? TrainingData.tinyTokenizer(cache)
                : BertUncasedTokenizer.cached(cache);
    }

    /** Trains, printing a line before and one after. */
    public MlmTrainer.Result run(PrintStream out) throws Exception {
        if (student.kind() != StudentKind.BERT_MLM) {
            throw new IllegalArgumentException("--task mlm trains a bert-mlm model, not " + student.kind());
        }
        Path tokenizerFile = tokenizerFile(data);
        boolean distills = teacher.target() != null && objective.usesTeacher();
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, student.maxLength(), null);
             TeacherConnection connection = distills ? TeacherConnection.open(teacher) : null;
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Corpus corpus = corpus(data, tokenizer, tokenizerFile, heldOutFraction, optimizer.seed());
            MlmMasker masker = new MlmMasker(MaskingOptions.EVALUATION, corpus.train().counts(), corpus.special());
            List<MaskedBatch> heldOut = MlmEvaluation.batches(corpus.heldOut().first(heldOutMax).sequences(), masker,
                    optimizer.batchSize());
            StudentConfig config = student.config(tokenizer.vocabularySize(), tokenizer.vocabularySize());
            out.printf("training %s model on %d sequences (%d tokens%s), held out %d sequences; %s%n", config.kind(),
                    corpus.train().sequences().size(), corpus.train().tokens(),
                    corpus.train().fromCache() ? ", binarized corpus from the cache" : "",
                    Math.min(heldOutMax, corpus.heldOut().sequences().size()), connection != null
                            ? "distilling from " + teacher.model() + " at " + teacher.target() + " (" + teacherLogits
                            + ")" : "masked-LM loss only");
            MlmTrainer.Builder builder = MlmTrainer.builder(config, optimizer, objective, masking, corpus.special())
                    .run(run).initFromTeacher(student.initFromTeacher()).groupByLength(data.groupByLength());
            TeacherClient client = null;
            try {
                if (connection != null) {
                    ModelInfo info = connection.info();
                    String hidden = objective.alphaCos() > 0 ? objective.hiddenOutput() : null;
                    int hiddenWidth = hidden == null ? 0 : outputWidth(info, hidden);
                    client = connection.client(new TeacherNeeds(true, List.of()));
                    MlmWire wire = new MlmWire(teacher.model(), connection.inputNames(), info.getLogitsOutput(),
                            hidden, teacherLogits, objective.temperature(), teacher.wireDtype().proto());
                    Map<String, Object> settings = new LinkedHashMap<>(teacher.answerDeciding());
                    settings.put("teacher_logits", teacherLogits.toString());
                    settings.put("version", info.getVersion());
                    builder.teacher(client, wire, hiddenWidth, teacher.prefetch(), settings);
                }
                MlmTrainer.Result result = builder.build().train(corpus.train(), heldOut, manager);
                out.printf("done: %d steps in %.1f s (teacher wait %.1f s, %d requests, %.1f MB answers); held out "
                                + "%s; run in %s%n", result.steps(), result.seconds(), result.waitSeconds(),
                        result.requests(), result.responseBytes() / 1e6, result.lastMetrics(), run.runDir());
                return result;
            } finally {
                if (client != null) {
                    client.close();
                }
            }
        }
    }

    /** The last dimension of a teacher output. */
    static int outputWidth(ModelInfo info, String name) {
        for (TensorSpec spec : info.getOutputsList()) {
            if (spec.getName().equals(name)) {
                long w = spec.getShape(spec.getShapeCount() - 1);
                if (w < 1) {
                    throw new IllegalArgumentException("teacher output '" + name + "' has no fixed width ("
                            + spec.getShapeList() + ")");
                }
                return (int) w;
            }
        }
        throw new IllegalArgumentException("teacher '" + info.getName() + "' has no output '" + name + "' for "
                + "--alpha-cos; its outputs are " + info.getOutputsList().stream().map(TensorSpec::getName).toList());
    }
}
